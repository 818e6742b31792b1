"""``sonket-gsync campaign from-plan PLAN.docx --out DIR``: draft a campaign folder from the plan
document (campaign/plan): the outline, one form per appendix table, the header facts, and
REVIEW.md listing what staff must check. Writes a new folder only (no campaign, store or
workspace is opened, so no writer lease is taken)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group(name="campaign")
def campaign() -> None:
    """Chiến dịch: soạn thư mục chiến dịch từ kế hoạch (.docx)."""


@campaign.command(name="from-plan")
@click.argument("plan_file", metavar="PLAN.docx", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Thư mục chiến dịch sẽ ghi.")
@click.option("--province", default="", help="Tên tỉnh (mặc định: đoán từ kế hoạch).")
@click.option("--force", is_flag=True, help="Ghi đè thư mục đã có campaign.toml.")
def from_plan(plan_file: Path, out: Path, province: str, force: bool) -> None:
    """Soạn thư mục chiến dịch từ kế hoạch: đề cương, biểu mẫu theo từng bảng phụ lục, REVIEW.md."""
    from sonket_gsync.campaign.plan import read_plan, write_campaign_folder
    from sonket_gsync.campaign.plan.write import form_codes

    plan = read_plan(plan_file)
    reviews = write_campaign_folder(plan, out, province=province, force=force)
    click.echo(f"Đã soạn thư mục chiến dịch: {out}")
    click.echo(f"  {plan.name or plan.title} — hạn nộp {plan.deadline or '(chưa rõ)'}")
    items = sum(len(s.items) for s in plan.outline)
    click.echo(f"  Đề cương: {len(plan.outline)} mục, {items} tiểu mục")
    rows = {"open": "đơn vị tự thêm dòng", "fixed": "dòng cố định", "unit": "một dòng cho mỗi đơn vị"}
    for code, table in zip(form_codes(plan), plan.tables, strict=True):
        click.echo(f"  Biểu mẫu {code} ({table.appendix}): {table.title} — {len(table.columns)} cột, {rows.get(table.rows, table.rows)}")
    click.echo(f"  Nhóm đơn vị: {len(plan.groups)}; danh sách đơn vị (units.csv) còn trống.")
    click.secho(f"Cần kiểm tra {len(reviews)} điểm: xem {out / 'REVIEW.md'}", fg="yellow")


def register(group: click.Group) -> None:
    """Add ``campaign from-plan``: under an existing ``campaign`` group if another package made one."""
    existing = group.commands.get("campaign")
    if isinstance(existing, click.Group):
        existing.add_command(from_plan)
    else:
        group.add_command(campaign)
