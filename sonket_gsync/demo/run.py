"""The demo: a whole campaign on a fresh folder with synthetic answers.

Provision every unit; let most units answer (some late, some with mistakes, some never);
sync; then a few units that had answered break their files (a corrupt file, a deleted tab,
a bad number) and the next sync flags them while keeping their last valid data; compile the
draft and publish the summary.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sonket_gsync.app.service import DEMO_MARKER as MARKER
from sonket_gsync.app.service import CampaignService
from sonket_gsync.backends.base import CellBlock
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.settings import Settings
from sonket_gsync.demo.synthetic import answers_for, assign_profiles, modified_time, spoil, to_blocks
from sonket_gsync.forms import narrative
from sonket_gsync.forms.layout import sheet_layout
from sonket_gsync.ingest.sync import Progress, SyncReport


@dataclass
class DemoResult:
    service: CampaignService
    profiles: dict[str, str]
    first_sync: SyncReport
    second_sync: SyncReport
    broken_later: list[str] = field(default_factory=list)
    compile_result: object = None


def prepare_folder(data_dir: Path) -> None:
    """A fresh demo folder; refuse to wipe a folder that is not a previous demo."""
    if data_dir.exists() and any(data_dir.iterdir()):
        if not (data_dir / MARKER).exists():
            raise ConfigError(
                "Thư mục dữ liệu đã có nội dung không phải của bản chạy thử.",
                where=str(data_dir),
                fix="Chọn thư mục khác bằng --data, hoặc xóa thư mục này nếu không còn cần.",
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / MARKER).write_text("sonket-gsync demo\n", encoding="utf-8")


def run_demo(
    settings: Settings,
    *,
    seed: int = 45,
    progress: Callable[[str], Progress] | None = None,
    say: Callable[[str], None] = lambda _: None,
    wait: bool = False,
) -> DemoResult:
    if settings.backend == "local":
        _refuse_if_in_use(settings)
        prepare_folder(settings.data_dir)
    step = progress or (lambda _label: lambda items: items)
    service = CampaignService.open(settings)
    with service.lease("sonket-gsync demo", wait=wait):  # one writer at a time, the demo too
        return _run(service, seed, step, say)


def _refuse_if_in_use(settings: Settings) -> None:
    """Never wipe a demo folder another process is writing to (a sync, a worker)."""
    if settings.database_url or not settings.db_path.is_file():
        return
    from sonket_gsync.app.lease import held_error
    from sonket_gsync.store import open_store

    store = open_store(settings, create=False)
    try:
        holder = store.lease()
    finally:
        store.close()
    if holder is not None:
        raise held_error(holder, settings.lease_seconds)


def _run(service: CampaignService, seed: int, step, say) -> DemoResult:
    campaign, workspace = service.campaign, service.workspace
    rng = random.Random(seed)

    say(f"Tạo biểu mẫu cho {len(campaign.units)} đơn vị…")
    service.provision(progress=step("Tạo biểu mẫu"))

    profiles = assign_profiles(campaign, rng)
    answering = [u for u in campaign.units if profiles[u.code] != "missing"]
    for unit in step("Đơn vị điền số liệu (giả lập)")(answering):
        answers = answers_for(campaign, unit, rng)
        if profiles[unit.code] == "invalid":
            answers = spoil(campaign, unit, answers, rng)
        doc = narrative.docx_from_sections(campaign, unit, answers.narrative) if campaign.has_narrative(unit) else None
        workspace.write_unit(unit, to_blocks(campaign, unit, answers), doc, modified_time(profiles[unit.code], campaign, rng))

    first = service.sync(trigger="demo", progress=step("Đồng bộ lần 1"))

    # Afterwards, three units that had answered on time damage their files.
    on_time = [u for u in campaign.units if profiles[u.code] == "on_time"]
    broken = rng.sample(on_time, k=min(3, len(on_time)))
    _break_files(service, broken, rng)
    second = service.sync(trigger="demo", progress=step("Đồng bộ lần 2"))

    say("Biên soạn báo cáo…")
    result = DemoResult(service, profiles, first, second, [u.code for u in broken])
    result.compile_result = service.compile()
    service.publish_summary()
    return result


def _break_files(service: CampaignService, units, rng: random.Random) -> None:
    """Damage units do to their own files, through the workspace: a header overwritten, or
    words typed into a number column."""
    campaign, workspace = service.campaign, service.workspace
    for index, unit in enumerate(units):
        form = campaign.forms_for(unit)[0]
        if index % 2 == 0:
            # A header overwritten: the form can no longer be read.
            workspace.write_unit(unit, [CellBlock(sheet=form.sheet, row=4, column=1, values=[["xoá nhầm"] * len(form.columns)])])
        else:
            # A number column filled with words.
            numeric = next((c for c in form.columns if c.type in ("integer", "number", "percent", "date") and not c.fixed), None)
            column = form.columns.index(numeric) + 1 if numeric else 1
            row = sheet_layout(campaign, unit, form).first_data_row
            workspace.write_unit(unit, [CellBlock(sheet=form.sheet, row=row, column=column, values=[["chưa có số liệu"]])])
