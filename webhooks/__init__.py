"""The web service staff and units use: a Flask app over ``sonket_gsync.app``.

``create_app(settings=None)``: gunicorn serves ``webhooks:create_app()`` (settings from the
environment); tests and ``serve`` pass their own settings (and may pass a service). The app
itself is built in ``webhooks.app``; this module stays light, so the CLI can load the web's
commands (``webhooks.cli``, registered through the ``sonket_gsync.commands`` entry point)
without loading Flask until one of them runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from sonket_gsync.core.settings import Settings


def create_app(settings: Settings | None = None, *, service: Any = None) -> Flask:
    from webhooks.app import create_app as build

    return build(settings, service=service)


__all__ = ["create_app"]
