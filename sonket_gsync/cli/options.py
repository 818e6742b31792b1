"""The CLI's shared options and helpers, lent to every command (``Kit``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from sonket_gsync.core.settings import Settings


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--config/--data/--backend are accepted after the subcommand too
    (``sonket-gsync demo --backend google``); there they win over the group's."""
    options = [
        click.option("--config", "campaign_dir", type=click.Path(path_type=Path), help="Thư mục chiến dịch.", expose_value=False, callback=_remember),
        click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Thư mục dữ liệu.", expose_value=False, callback=_remember),
        click.option("--backend", type=click.Choice(["local", "google"]), help="Nơi lưu biểu mẫu.", expose_value=False, callback=_remember),
    ]
    for option in options:
        command = option(command)
    return command


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> None:
    if value is not None:
        ctx.find_root().obj[param.name] = value


def settings_of(ctx: click.Context, **extra: object) -> Settings:
    return Settings.from_env(**{**ctx.find_root().obj, **extra})


def write_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--wait for commands that write: wait for the writer lease instead of exiting 75."""
    return click.option("--wait", is_flag=True, help="Nếu tiến trình khác đang ghi, chờ đến lượt thay vì dừng (mã thoát 75).")(command)


def progress_bar(label: str) -> Callable[[Sequence[Any]], Iterator[Any]]:
    """A named step shown as a bar on stderr: the ``progress=`` of the service's operations."""

    def wrap(items: Sequence[Any]) -> Iterator[Any]:
        with click.progressbar(items, label=label, show_pos=True, file=sys.stderr) as bar:
            yield from bar

    return wrap


@dataclass(frozen=True)
class Kit:
    """What the CLI lends the commands other packages register: its options, the settings
    from them, progress bars, and its printed summaries."""

    common_options: Callable[..., Any]
    write_options: Callable[..., Any]
    settings: Callable[..., Settings]
    progress_bar: Callable[[str], Callable[[Sequence[Any]], Iterator[Any]]]
    print_status: Callable[..., None]
    print_compile: Callable[[Any], None]
