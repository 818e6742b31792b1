"""The campaign service: one object holding the campaign, its workspace and its store, with
the operations people run — provision, sync, compile, status. The CLI and the web app are
thin layers over it; clients are passed in, never built at import time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

from .backends import open_workspace
from .backends.base import UnitFiles, Workspace
from .campaign import Campaign, Unit
from .config import load_campaign
from .errors import StoreMissing
from .settings import Settings
from .store import Store
from .submission import STATUS_LABELS, UnitRecord
from .sync import Progress, SyncReport, sync

REPORT_TEMPLATE = "bao-cao-so-ket.docx"
DISTRIBUTION_NAME = "duong-dan-va-ma-qr.docx"


@dataclass(frozen=True)
class ProvisionReport:
    created: list[str]
    existing: list[str]


class CampaignService:
    def __init__(self, settings: Settings, campaign: Campaign, workspace: Workspace, store: Store) -> None:
        self.settings = settings
        self.campaign = campaign
        self.workspace = workspace
        self.store = store

    @classmethod
    def open(cls, settings: Settings, *, create: bool = True) -> "CampaignService":
        """The campaign on ``settings``; with ``create=False`` (commands that only read) a
        data folder holding no store is refused instead of silently given an empty one."""
        campaign = load_campaign(settings.campaign_dir)
        if not create and not settings.db_path.exists():
            raise StoreMissing(settings.data_dir)
        store = Store(settings.db_path)
        return cls(settings, campaign, open_workspace(settings, campaign), store)

    def close(self) -> None:
        self.store.close()

    # --- operations ------------------------------------------------------------------------

    def provision(self, only: Sequence[str] = (), progress: Progress | None = None) -> ProvisionReport:
        units = self._units(only)
        self.workspace.prepare()
        created, existing = [], []
        for unit, files in self.workspace.provision_units((progress or _plain)(units)):
            if isinstance(files, Exception):
                raise files
            self.store.save_unit_files(self.workspace.kind, files)
            (created if files.created else existing).append(unit.code)
        return ProvisionReport(created, existing)

    def sync(self, *, full: bool = False, trigger: str = "manual", only: Sequence[str] = (), progress: Progress | None = None) -> SyncReport:
        """Sync, then refresh the "Tổng hợp" summary if anything was read (a no-change sync
        costs no summary write: every Google call counts against quota)."""
        report = sync(self.campaign, self.workspace, self.store, full=full, trigger=trigger, only=only, progress=progress)
        if report.changed or report.gone:
            self.publish_summary()
        return report

    def compile(self, compiled_at=None):
        from .compile import compile_report  # pandas, docxtpl and matplotlib load only when compiling

        result = compile_report(
            self.campaign,
            self.records(),
            self.workspace,
            self.settings.templates_dir / REPORT_TEMPLATE,
            compiled_at=compiled_at,
        )
        self.store.save_output("report", result.report.name, result.report.url)
        self.store.save_output("tables", result.tables.name, result.tables.url)
        return result

    def distribution_sheet(self):
        """The printable sheet of every unit's links and QR codes, stored as an output."""
        from .backends.base import DOCX_MIME
        from .distribution import distribution_docx

        ref = self.workspace.write_output(DISTRIBUTION_NAME, distribution_docx(self.campaign, self.unit_files()), DOCX_MIME)
        self.store.save_output("distribution", ref.name, ref.url)
        return ref

    def publish_summary(self):
        """Refresh the "Tổng hợp" spreadsheet from the stored data."""
        from .aggregate import aggregate
        from .report import summary_tabs

        aggregates = aggregate(self.campaign, self.records())
        ref = self.workspace.write_summary(summary_tabs(self.campaign, aggregates))
        self.store.save_output("summary", ref.name, ref.url)
        return ref

    # --- reading ---------------------------------------------------------------------------

    def records(self) -> list[UnitRecord]:
        return self.store.unit_records(self.campaign)

    def status_counts(self, records: Iterable[UnitRecord] | None = None) -> dict[str, Counter]:
        """Per group code (and "__all__"): how many units have each status."""
        counts: dict[str, Counter] = {"__all__": Counter()}
        for record in records if records is not None else self.records():
            counts.setdefault(record.unit.group, Counter())[record.status] += 1
            counts["__all__"][record.status] += 1
        return counts

    def unit_files(self) -> list[tuple[Unit, UnitFiles]]:
        files = self.store.unit_files(self.workspace.kind)
        return [(u, files[u.code]) for u in self.campaign.units if u.code in files]

    def _units(self, only: Sequence[str]) -> list[Unit]:
        if not only:
            return list(self.campaign.units)
        return [self.campaign.unit(code) for code in only]


DEMO_MARKER = ".sonket-demo"  # written by the demo in the data folder it fills


def is_demo_folder(data_dir) -> bool:
    return (data_dir / DEMO_MARKER).exists()


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _plain(items):
    return items
