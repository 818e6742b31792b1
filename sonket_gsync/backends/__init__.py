"""Workspace backends: where units' files live. Everything above this package talks only to
``Workspace`` (base.py); ``open_workspace`` is the one place that picks a backend."""

from __future__ import annotations

from ..campaign import Campaign
from ..settings import Settings
from .base import Workspace


def open_workspace(settings: Settings, campaign: Campaign) -> Workspace:
    if settings.backend == "google":
        from .google import GoogleWorkspace

        return GoogleWorkspace.from_settings(settings, campaign)
    from .local import LocalWorkspace

    return LocalWorkspace(settings.workspace_dir, campaign)
