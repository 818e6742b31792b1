"""The submission workflow on the command line (issue 18):

    sonket-gsync submissions [--state STATE]          every unit: state, confirmed when/by, số, on time
    sonket-gsync submission show UNIT                 one unit: its confirmation, PDF, comments, history
    sonket-gsync submission confirm UNIT --name … --position … [--so …] [--ngay dd/mm/yyyy] [--pdf FILE]
    sonket-gsync submission accept UNIT [--note …]
    sonket-gsync submission return UNIT --comment "…" [--at PL02:7:Số lượng] … | --comments-file FILE
    sonket-gsync submission attach UNIT FILE.pdf

Each is a few lines over the service (under the writer lease, audited); ``--by`` names who
acts (default: the system user).
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sonket_gsync.cli.options import common_options, settings_of, write_options
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.text import format_date, format_datetime, format_number

if TYPE_CHECKING:
    from sonket_gsync.app.service import CampaignService
    from sonket_gsync.app.submissions import ReviewComment, SubmissionInfo

STATES = ("missing", "entering", "submitted", "accepted", "returned")


def _service(ctx: click.Context, *, create: bool = True) -> CampaignService:
    from sonket_gsync.app.service import CampaignService

    return CampaignService.open(settings_of(ctx), create=create)


def _code(service: CampaignService, typed: str) -> str:
    from sonket_gsync.campaign.lookup import find_unit

    return find_unit(service.campaign, typed).code


def _by(by: str | None) -> str:
    if by:
        return by
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment
        return "cli"


def _on_time(value: bool | None) -> str:
    return "" if value is None else ("Đúng hạn" if value else "Trễ hạn")


@click.command(name="submissions")
@common_options
@click.option("--state", "only_state", type=click.Choice(STATES), help="Chỉ liệt kê đơn vị ở trạng thái này.")
@click.pass_context
def submissions_command(ctx: click.Context, only_state: str | None) -> None:
    """Trạng thái gửi báo cáo của từng đơn vị: đang nhập, đã gửi, đã tiếp nhận, trả lại; xác nhận lúc nào, ai ký, số văn bản, đúng hạn hay trễ."""
    from sonket_gsync.forms.submission import SUBMISSION_STATE_LABELS

    service = _service(ctx, create=False)
    queries = service.queries
    states = queries.submission_states()
    shown = [u for u in service.campaign.units if only_state is None or states.get(u.code) == only_state]
    header = f"{'Mã đơn vị':<16}{'Trạng thái':<15}{'Xác nhận lúc':<18}{'Người ký':<28}{'Số văn bản':<16}Hạn"
    click.echo(header)
    click.echo("-" * (len(header) + 10))
    for unit in shown:
        state = states.get(unit.code, "missing")
        info = queries.submission(unit.code) if state not in ("missing", "entering") else None
        when = format_datetime(info.confirmed_at) if info else ""
        who = f"{info.confirmed_name} ({info.confirmed_position})" if info and info.confirmed_name else ""
        who = who if len(who) <= 26 else who[:25] + "…"
        number = info.doc_number if info else ""
        line = f"{unit.code:<16}{SUBMISSION_STATE_LABELS[state]:<15}{when:<18}{who:<28}{number:<16}{_on_time(info.on_time) if info else ''}"
        click.echo(line.rstrip())
    counts = {s: sum(1 for u in service.campaign.units if states.get(u.code) == s) for s in STATES}
    click.echo("\n" + "; ".join(f"{SUBMISSION_STATE_LABELS[s]}: {n}" for s, n in counts.items()) + f" (tổng {len(service.campaign.units)} đơn vị).")


@click.group(name="submission")
def submission_group() -> None:
    """Xác nhận gửi, tiếp nhận hoặc trả lại báo cáo của một đơn vị."""


@submission_group.command(name="show")
@common_options
@click.argument("unit")
@click.pass_context
def show(ctx: click.Context, unit: str) -> None:
    """Báo cáo của một đơn vị: trạng thái, bản đã xác nhận, báo cáo đã ký, góp ý, lịch sử."""
    service = _service(ctx, create=False)
    code = _code(service, unit)
    _print_info(service, code, service.queries.submission(code))
    events = service.queries.submission_events(code)
    if events:
        click.echo("  Lịch sử:")
    for event in events:
        by = f" ({event.by})" if event.by else ""
        click.echo(f"    {format_datetime(event.at)} {event.label}{by}{': ' + event.detail if event.detail else ''}")


@submission_group.command(name="confirm")
@common_options
@write_options
@click.argument("unit")
@click.option("--name", required=True, help="Họ tên người ký báo cáo.")
@click.option("--position", required=True, help="Chức vụ người ký (ví dụ: Bí thư Đảng ủy).")
@click.option("--so", "doc_number", default="", help="Số và ký hiệu văn bản (ví dụ: 12-BC/ĐU).")
@click.option("--ngay", "doc_date", default="", help="Ngày văn bản, dd/mm/yyyy.")
@click.option("--pdf", "pdf_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Báo cáo đã ký (PDF) gửi kèm.")
@click.option("--by", default=None, help="Người thực hiện (mặc định: tài khoản máy).")
@click.pass_context
def confirm(ctx: click.Context, unit: str, name: str, position: str, doc_number: str, doc_date: str, pdf_path: Path | None, by: str | None, wait: bool) -> None:
    """Xác nhận gửi bản hợp lệ mới nhất của đơn vị (thay cho đơn vị, ví dụ khi văn phòng nhận báo cáo giấy)."""
    service = _service(ctx)
    code = _code(service, unit)
    data = pdf_path.read_bytes() if pdf_path else None
    with service.lease(f"sonket-gsync submission confirm {code}", wait=wait):
        info = service.confirm_submission(
            code,
            name=name,
            position=position,
            doc_number=doc_number,
            doc_date=doc_date or None,
            signed_pdf=data,
            pdf_filename=pdf_path.name if pdf_path else "",
            by=_by(by),
        )
    click.echo(f"Đã xác nhận gửi báo cáo của {service.campaign.unit(code).name} ({_on_time(info.on_time).lower()}).")
    _print_info(service, code, info)


@submission_group.command(name="accept")
@common_options
@write_options
@click.argument("unit")
@click.option("--note", default="", help="Ghi chú khi tiếp nhận.")
@click.option("--by", default=None, help="Người tiếp nhận (mặc định: tài khoản máy).")
@click.pass_context
def accept(ctx: click.Context, unit: str, note: str, by: str | None, wait: bool) -> None:
    """Tiếp nhận báo cáo đơn vị đã xác nhận gửi."""
    service = _service(ctx, create=False)
    code = _code(service, unit)
    with service.lease(f"sonket-gsync submission accept {code}", wait=wait):
        info = service.accept_submission(code, by=_by(by), note=note)
    click.echo(f"Đã tiếp nhận báo cáo của {service.campaign.unit(code).name}.")
    _print_info(service, code, info)


@submission_group.command(name="return")
@common_options
@write_options
@click.argument("unit")
@click.option("--comment", "comments", multiple=True, help="Một góp ý (lặp lại được).")
@click.option(
    "--at",
    "places",
    multiple=True,
    help='Vị trí của góp ý cùng thứ tự: "BIỂU:DÒNG:CỘT" (ví dụ "PL02:7:Số lượng", "PL02::Số lượng"), '
    '"muc:II.3" cho một mục đề cương, hoặc "" cho góp ý chung. Thiếu thì là góp ý chung.',
)
@click.option(
    "--comments-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='Tệp văn bản UTF-8, mỗi dòng một góp ý: "VỊ TRÍ | nội dung" hoặc chỉ "nội dung"; dòng trống và dòng bắt đầu bằng # bị bỏ qua.',
)
@click.option("--by", default=None, help="Người trả lại (mặc định: tài khoản máy).")
@click.pass_context
def return_command(
    ctx: click.Context, unit: str, comments: tuple[str, ...], places: tuple[str, ...], comments_file: Path | None, by: str | None, wait: bool
) -> None:
    """Trả lại báo cáo đơn vị đã gửi, kèm góp ý (chỉ rõ biểu, dòng, cột hoặc mục đề cương).

    \b
    Ví dụ:
      sonket-gsync submission return MA_DON_VI --comment "Số đảng viên chưa khớp" --at "PL02:7:Số lượng" \\
          --comment "Bổ sung kết quả nổi bật" --at "muc:II.1" --comment "Ghi rõ số văn bản"
    """
    if len(places) > len(comments):
        raise ConfigError(
            f"Có {len(places)} vị trí --at nhưng chỉ {len(comments)} góp ý --comment.",
            where="dòng lệnh",
            fix="Mỗi --at đi sau --comment mà nó chỉ vị trí; góp ý chung thì không cần --at.",
        )
    pairs = [(places[i] if i < len(places) else "", text) for i, text in enumerate(comments)]
    if comments_file is not None:
        pairs += _read_comments_file(comments_file)
    review = [_comment(place, text) for place, text in pairs]
    service = _service(ctx, create=False)
    code = _code(service, unit)
    with service.lease(f"sonket-gsync submission return {code}", wait=wait):
        info = service.return_submission(code, by=_by(by), comments=review)
    click.echo(f"Đã trả lại báo cáo của {service.campaign.unit(code).name} với {len(info.comments)} góp ý.")
    _print_info(service, code, info)


@submission_group.command(name="attach")
@common_options
@write_options
@click.argument("unit")
@click.argument("pdf_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", default=None, help="Người đính kèm (mặc định: tài khoản máy).")
@click.pass_context
def attach(ctx: click.Context, unit: str, pdf_path: Path, by: str | None, wait: bool) -> None:
    """Đính kèm báo cáo đã ký (PDF) vào lần xác nhận gửi gần nhất của đơn vị."""
    service = _service(ctx, create=False)
    code = _code(service, unit)
    with service.lease(f"sonket-gsync submission attach {code}", wait=wait):
        info = service.attach_signed_pdf(code, pdf_path.read_bytes(), pdf_path.name, by=_by(by))
    click.echo(f"Đã đính kèm {pdf_path.name} vào báo cáo của {service.campaign.unit(code).name}.")
    _print_info(service, code, info)


def _comment(place: str, text: str) -> ReviewComment:
    from sonket_gsync.app.submissions import ReviewComment, parse_location

    place = place.strip()
    if not place:
        return ReviewComment(text)
    if place.lower().startswith(("muc:", "mục:")):
        return ReviewComment(text, outline_item=place.split(":", 1)[1].strip())
    form, row, column = parse_location(place)
    return ReviewComment(text, form=form, row=row, column=column)


def _read_comments_file(path: Path) -> list[tuple[str, str]]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise ConfigError(f"Tệp {path.name} không phải mã hóa UTF-8.", where=str(path), fix="Lưu lại tệp với mã hóa UTF-8.") from None
    pairs = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        place, sep, text = line.partition("|")
        pairs.append((place, text) if sep else ("", line))
    return pairs


def _print_info(service: CampaignService, code: str, info: SubmissionInfo) -> None:
    unit = service.campaign.unit(code)
    click.echo(f"{unit.name} ({unit.code}) — {info.state_label}")
    if info.confirmed_at is not None:
        number = f", số {info.doc_number}" if info.doc_number else ""
        day = f" ngày {format_date(info.doc_date)}" if info.doc_date else ""
        click.echo(
            f"  Xác nhận gửi: {format_datetime(info.confirmed_at)} ({_on_time(info.on_time).lower()}), {info.confirmed_name}, {info.confirmed_position}{number}{day}"
        )
        click.echo(
            f"  Phiên bản đã xác nhận: {info.version_id}"
            + ("" if info.version_id == info.latest_version_id else f" (đơn vị đã có bản mới hơn: {info.latest_version_id})")
        )
    if info.pdf is not None:
        signer = f"ký số: {info.pdf.signer}" if info.pdf.signer else "không có chữ ký số"
        click.echo(f"  Báo cáo đã ký: {info.pdf.filename} ({format_number(info.pdf.size, 0)} byte; {signer}; SHA-256 {info.pdf.sha256[:16]}…)")
    if info.reviewed_at is not None:
        click.echo(f"  Xem xét lần cuối: {format_datetime(info.reviewed_at)} ({info.reviewed_by})")
    for comment in info.comments:
        click.echo(f"  - Góp ý{' [' + comment.where + ']' if comment.where else ''}: {comment.text}")


COMMANDS = (submissions_command, submission_group)
