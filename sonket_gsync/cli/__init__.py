"""The ``sonket-gsync`` command line: a thin layer over ``sonket_gsync.app``."""

from sonket_gsync.cli.main import cli, main

__all__ = ["cli", "main"]
