"""The ``sonket-gsync`` group: options, errors as messages, and the commands other packages
register. Errors become messages, never tracebacks; the exit code derives from the error's
category (2 for permanent problems, 75 for temporary ones such as another writer holding the
lease, 70 for a bug).

Commands come from ``sonket_gsync.cli.commands`` and from the ``sonket_gsync.commands``
entry-point group: each entry point is ``register(group, kit)`` (the demo's command and the
web's ``serve``, ``staff``, ``watch`` arrive this way), so the CLI never imports the packages
on its own level. Importing this module loads click and nothing heavy: each command imports
what it needs when it runs. The entry points are read and loaded only when they are needed:
to list the commands (``--help``) or to run a name the built-in commands do not have, so
``sonket-gsync sync`` never scans the installed packages nor imports the web's or demo's CLI.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import click

from sonket_gsync.cli import commands
from sonket_gsync.cli.options import Kit, common_options, progress_bar, settings_of, write_options
from sonket_gsync.cli.output import print_compile, print_status
from sonket_gsync.core.errors import Bug, SonketError

COMMANDS_GROUP = "sonket_gsync.commands"


class _Cli(click.Group):
    """The group: built-in commands registered at import, entry-point commands on demand."""

    _extensions_loaded = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and not self._extensions_loaded:
            self.load_extensions()
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.load_extensions()
        return super().list_commands(ctx)

    def load_extensions(self) -> None:
        """Register the commands of the ``sonket_gsync.commands`` entry points, once."""
        if self._extensions_loaded:
            return
        self._extensions_loaded = True
        kit = Kit(common_options, write_options, settings_of, progress_bar, print_status, print_compile)
        for entry in sorted(entry_points(group=COMMANDS_GROUP), key=lambda e: e.name):
            entry.load()(self, kit)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SonketError as exc:
            click.secho(f"Lỗi: {exc.explain()}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader went away (`status --errors | head`): not an error
            _quiet_stdout()
            sys.exit(0)
        except Exception as exc:  # a bug: say so in words, keep the traceback for -v
            logging.getLogger(__name__).debug("unexpected error", exc_info=True)
            bug = Bug.from_exception(exc)
            click.secho(f"Lỗi: {bug.explain()}", fg="red", err=True)
            sys.exit(bug.exit_code)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush raises no second BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@click.group(cls=_Cli)
@click.option("--config", "campaign_dir", type=click.Path(path_type=Path), help="Thư mục chiến dịch (mặc định config/so-ket-45-nq-tw).")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Thư mục dữ liệu (mặc định ./data).")
@click.option("--backend", type=click.Choice(["local", "google"]), help="Nơi lưu biểu mẫu của đơn vị.")
@click.option("-v", "--verbose", is_flag=True, help="In nhật ký chi tiết.")
@click.pass_context
def cli(ctx: click.Context, campaign_dir: Path | None, data_dir: Path | None, backend: str | None, verbose: bool) -> None:
    """sonket-gsync: tạo biểu mẫu, đồng bộ, kiểm tra và tổng hợp báo cáo sơ kết."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"campaign_dir": campaign_dir, "data_dir": data_dir, "backend": backend}


commands.register(cli)  # the built-in commands; entry points wait for _Cli.load_extensions


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=argv, prog_name="sonket-gsync")


if __name__ == "__main__":
    main()
