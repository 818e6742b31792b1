"""Workspace backends: where units' files live. Everything above this package talks only to
``Workspace`` (base.py); ``open_workspace`` is the one place that picks a backend."""

from __future__ import annotations

from sonket_gsync.backends.base import Workspace
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.settings import Settings
from sonket_gsync.forms.limits import Limits


def open_workspace(settings: Settings, campaign: Campaign) -> Workspace:
    limits = Limits.from_settings(settings)
    if settings.backend == "google":
        from sonket_gsync.backends.google import GoogleWorkspace

        workspace: Workspace = GoogleWorkspace.from_settings(settings, campaign)
        workspace.limits = limits
        return workspace
    from sonket_gsync.backends.local import LocalWorkspace

    return LocalWorkspace(settings.workspace_dir, campaign, limits)
