"""The service's commands on the main ``sonket-gsync`` group: ``serve`` (app + worker thread +
schedule, for one office machine), ``staff add`` / ``list`` / ``remove`` / ``disable`` /
``enable``, ``unit-links rotate`` (new private links; the old ones stop working), and ``watch``
(register the Drive channel). ``register(group, kit)`` adds them: the ``web`` entry point of the
``sonket_gsync.commands`` group (pyproject.toml), loaded by ``sonket_gsync.cli``. Flask loads
only when one of these commands runs."""

from __future__ import annotations

import logging
import signal
import sys
import threading

import click

from sonket_gsync.core.errors import ConfigError, NotFound, SonketError
from sonket_gsync.core.settings import Settings


def _settings(ctx: click.Context) -> Settings:
    return Settings.from_env(**ctx.find_root().obj)


def register(group: click.Group, kit) -> None:
    group.add_command(kit.common_options(serve))
    group.add_command(staff)
    staff.add_command(kit.common_options(staff_add))
    staff.add_command(kit.common_options(staff_list))
    staff.add_command(kit.common_options(staff_remove))
    staff.add_command(kit.common_options(staff_disable))
    staff.add_command(kit.common_options(staff_enable))
    group.add_command(kit.common_options(watch))
    group.add_command(unit_links)
    unit_links.add_command(kit.common_options(unit_links_rotate))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Địa chỉ lắng nghe (0.0.0.0 để máy khác trong mạng truy cập).")
@click.option("--port", default=8000, show_default=True, type=int, help="Cổng.")
@click.option("--no-schedule", is_flag=True, help="Không chạy lịch đồng bộ hằng đêm trong tiến trình này.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, no_schedule: bool) -> None:
    """Chạy trang web và bộ xử lý việc trong một tiến trình (một máy văn phòng)."""
    from werkzeug.serving import make_server

    from sonket_gsync.app.schedule import start_schedule
    from sonket_gsync.app.service import CampaignService
    from webhooks.app import QuietRequestHandler, create_app

    logging.getLogger("sonket_gsync").setLevel(logging.INFO)
    settings = _settings(ctx)
    web = CampaignService.open(settings)
    worker = CampaignService.open(settings)  # its own store connection, in its own thread
    app = create_app(settings, service=web)
    stop = threading.Event()
    server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)  # no Werkzeug/Python header, tokens masked
    fatal: list[BaseException] = []

    def give_up(exc: BaseException) -> None:  # a permanent error: exit non-zero, the supervisor restarts us
        fatal.append(exc)
        threading.Thread(target=server.shutdown).start()

    # supervised: a crash restarts the worker (with backoff); only a permanent error stops serve
    thread = threading.Thread(target=worker.supervise_worker, args=(stop,), kwargs={"on_fatal": give_up}, name="sonket-worker", daemon=True)
    thread.start()
    scheduler = None if no_schedule else start_schedule(web, settings)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    click.echo(f"Trang quản lý: http://{host}:{server.server_port}/  (Ctrl+C để dừng)")
    if scheduler and settings.nightly_sync_time:
        click.echo(f"Đồng bộ tự động hằng đêm lúc {settings.nightly_sync_time} (giờ Việt Nam).")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if scheduler:
            scheduler.shutdown(wait=False)
        thread.join(timeout=30)
        server.server_close()
    if fatal:
        error = fatal[0]
        click.secho(f"Lỗi: {error.explain() if isinstance(error, SonketError) else error}", fg="red", err=True)
        sys.exit(getattr(error, "exit_code", 1) or 1)


@click.group()
def staff() -> None:
    """Tài khoản cán bộ đăng nhập trang quản lý."""


@click.command(name="add")
@click.argument("email")
@click.option("--name", default="", help="Họ tên cán bộ.")
@click.option("--password-stdin", is_flag=True, help="Đọc mật khẩu từ dòng đầu của stdin (dùng trong script).")
@click.pass_context
def staff_add(ctx: click.Context, email: str, name: str, password_stdin: bool) -> None:
    """Thêm (hoặc đặt lại mật khẩu cho) một cán bộ."""
    from sonket_gsync.app.service import CampaignService

    from .auth import hash_password

    email = email.strip().casefold()
    if "@" not in email:
        raise ConfigError(f"'{email}' không phải địa chỉ email.", fix="Nhập email của cán bộ, ví dụ ten@dongnai.gov.vn.")
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
    if len(password) < 10:
        raise ConfigError("Mật khẩu quá ngắn.", fix="Dùng mật khẩu từ 10 ký tự trở lên.")
    service = CampaignService.open(_settings(ctx))
    try:
        service.add_staff(email, name or email, hash_password(password))
    finally:
        service.close()
    click.echo(f"Đã lưu tài khoản cán bộ {email}.")


@click.command(name="list")
@click.pass_context
def staff_list(ctx: click.Context) -> None:
    """Liệt kê tài khoản cán bộ."""
    from sonket_gsync.app.service import CampaignService

    service = CampaignService.open(_settings(ctx), create=False)
    try:
        for person in service.queries.staff_accounts():
            click.echo(f"{person.email}\t{person.name}")
    finally:
        service.close()


@click.command(name="remove")
@click.argument("email")
@click.pass_context
def staff_remove(ctx: click.Context, email: str) -> None:
    """Xóa tài khoản cán bộ (mọi phiên đăng nhập của tài khoản kết thúc ngay)."""
    _staff_change(ctx, email, "remove", "Đã xóa tài khoản cán bộ {email}; mọi phiên đăng nhập của tài khoản đã kết thúc.")


@click.command(name="disable")
@click.argument("email")
@click.pass_context
def staff_disable(ctx: click.Context, email: str) -> None:
    """Vô hiệu hóa tài khoản cán bộ: không đăng nhập được, mọi phiên kết thúc ngay."""
    _staff_change(ctx, email, "disable", "Đã vô hiệu hóa tài khoản {email}; mọi phiên đăng nhập của tài khoản đã kết thúc.")


@click.command(name="enable")
@click.argument("email")
@click.pass_context
def staff_enable(ctx: click.Context, email: str) -> None:
    """Cho tài khoản cán bộ đã vô hiệu hóa đăng nhập lại."""
    _staff_change(ctx, email, "enable", "Đã cho tài khoản {email} đăng nhập lại.")


def _staff_change(ctx: click.Context, email: str, action: str, done: str) -> None:
    from sonket_gsync.app.service import CampaignService

    email = email.strip().casefold()
    by = _who()
    service = CampaignService.open(_settings(ctx), create=False)
    try:
        found = service.remove_staff(email, by) if action == "remove" else service.disable_staff(email, by, disabled=action == "disable")
    finally:
        service.close()
    if not found:
        raise NotFound(f"Không có tài khoản cán bộ {email}.", where="sonket-gsync staff", fix="Xem danh sách bằng: sonket-gsync staff list.")
    click.echo(done.format(email=email))


def _who() -> str:
    """Who ran a command, for the audit trail."""
    import getpass

    try:
        return "cli:" + getpass.getuser()
    except Exception:  # no user name in a bare container
        return "cli"


@click.group(name="unit-links")
def unit_links() -> None:
    """Đường dẫn riêng (và mã QR) của các đơn vị."""


@click.command(name="rotate")
@click.option("--unit", "units", multiple=True, help="Mã đơn vị (nhắc lại để đổi nhiều đơn vị).")
@click.option("--all", "all_units", is_flag=True, help="Đổi đường dẫn của tất cả đơn vị.")
@click.pass_context
def unit_links_rotate(ctx: click.Context, units: tuple[str, ...], all_units: bool) -> None:
    """Tạo đường dẫn mới cho đơn vị; đường dẫn và mã QR cũ thôi hiệu lực."""
    from sonket_gsync.app.service import CampaignService

    if bool(units) == all_units:
        raise ConfigError("Chọn đơn vị cần đổi đường dẫn.", where="sonket-gsync unit-links rotate", fix="Dùng --unit MÃ (có thể nhắc lại) hoặc --all.")
    service = CampaignService.open(_settings(ctx), create=False)
    try:
        fresh = service.rotate_unit_links(None if all_units else list(units), _who())
    finally:
        service.close()
    click.echo(f"Đã tạo đường dẫn mới cho {len(fresh)} đơn vị; đường dẫn và mã QR cũ không còn dùng được.")
    click.echo("Gửi lại đường dẫn mới cho đơn vị (trang Nhắc nhở, hoặc biên soạn lại để có tệp đường dẫn và mã QR mới).")


@click.command()
@click.option("--address", help="Địa chỉ HTTPS nhận thông báo (mặc định SONKET_PUBLIC_BASE_URL + /drive/notifications).")
@click.pass_context
def watch(ctx: click.Context, address: str | None) -> None:
    """Đăng ký nhận thông báo thay đổi từ Google Drive (chỉ với backend google)."""
    from sonket_gsync.app.channels import register_channel
    from sonket_gsync.app.service import CampaignService

    service = CampaignService.open(_settings(ctx))
    if not service.workspace.capabilities.pushes_changes:
        raise ConfigError(
            "Thông báo đẩy (push) chỉ dùng được với Google Drive.",
            where="SONKET_BACKEND / --backend",
            fix="Chạy với --backend google; với thư mục cục bộ, dùng lịch đồng bộ hằng đêm hoặc nút Đồng bộ ngay.",
        )
    answer = register_channel(service, address)
    channel = service.queries.active_channel()
    click.echo(f"Đã đăng ký kênh {answer['channel_id']}; thông báo gửi về {channel.address if channel else address}.")
    if channel is not None and channel.expiration:
        from sonket_gsync.core.text import format_datetime

        click.echo(f"Kênh hết hạn lúc {format_datetime(channel.expiration)}; worker sẽ tự gia hạn trước đó.")
