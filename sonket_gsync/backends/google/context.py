"""What the Google workspace's parts share, declared once so no part imports the workspace.

``reading.py`` reads units with a ``ReadContext`` (the workspace is one: it has every field
named here); ``workspace.py`` builds the workspace from the parts. The dependency runs one
way: workspace → reading / changes / provisioning → context.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Protocol

from sonket_gsync.backends.google.client import GoogleClient
from sonket_gsync.backends.google.drive import Drive
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.forms.limits import Limits


class ReadStats:
    """Thread-safe counters of how units were read (diagnostics, benchmark)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def note(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1


class ReadContext(Protocol):
    """What reading a unit's files needs from the workspace (safe in a worker thread)."""

    campaign: Campaign
    client: GoogleClient
    drive: Drive
    export_sheets: bool
    limits: Limits
    stats: ReadStats

    def tab_properties(self, spreadsheet_id: str, where: str) -> list[dict]: ...
