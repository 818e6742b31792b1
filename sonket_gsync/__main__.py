"""``python -m sonket_gsync``: the same as the ``sonket-gsync`` command."""

from sonket_gsync.cli import main

main()
