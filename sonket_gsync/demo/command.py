"""The ``demo`` command, registered on the CLI through the ``sonket_gsync.commands`` entry
point (the CLI and the demo sit on one level and do not import each other)."""

from __future__ import annotations

from typing import Any

import click


def register(group: click.Group, kit: Any) -> None:
    @group.command()
    @kit.common_options
    @click.option("--seed", default=45, show_default=True, help="Hạt giống ngẫu nhiên của số liệu giả lập.")
    @kit.write_options
    @click.pass_context
    def demo(ctx: click.Context, seed: int, wait: bool) -> None:
        """Chạy thử toàn bộ chiến dịch trên một thư mục mới với số liệu giả lập."""
        from sonket_gsync.core.settings import Settings
        from sonket_gsync.demo.run import run_demo

        settings = kit.settings(ctx)  # the same data folder the other commands read by default
        result = run_demo(settings, seed=seed, progress=kit.progress_bar, say=click.echo, wait=wait)
        service = result.service
        click.echo("")
        kit.print_status(service, history=False)  # the draft's link follows just below
        if result.broken_later:
            names = ", ".join(service.campaign.unit(c).name for c in result.broken_later)
            click.echo(f"\nĐơn vị làm hỏng tệp sau khi đã gửi (vẫn giữ bản hợp lệ gần nhất): {names}")
        click.echo("")
        kit.print_compile(result.compile_result)
        click.echo(f"Kho dữ liệu: {service.store.where}")  # the SQLite file, or the PostgreSQL database (no password)
        if settings.data_dir != Settings.from_env().data_dir:
            click.echo(f"Các lệnh sau (status, compile, links…) cần thêm --data {settings.data_dir}.")
