"""Workspace backends: where units' files live. Everything above this package talks only to
``Workspace`` (base.py); ``open_workspace`` is the one place that picks a backend."""

from __future__ import annotations

from ..campaign import Campaign
from ..limits import Limits
from ..settings import Settings
from .base import Workspace


def open_workspace(settings: Settings, campaign: Campaign) -> Workspace:
    limits = Limits.from_settings(settings)
    if settings.backend == "google":
        from .google import GoogleWorkspace

        workspace: Workspace = GoogleWorkspace.from_settings(settings, campaign)
        workspace.limits = limits
        return workspace
    from .local import LocalWorkspace

    return LocalWorkspace(settings.workspace_dir, campaign, limits)
