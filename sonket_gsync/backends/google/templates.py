"""Provisioning by copy: one template Spreadsheet per unit group, units made with Drive
``files.copy``.

Before: every unit's Sheet was built with its own Sheets ``batchUpdate`` (tabs, formats,
protections, validation): one Sheets write per unit, so 1,500 units waited 25 minutes on the
60-writes-a-minute quota. Now the group's forms are built ONCE, in a template Spreadsheet
(``sonketKind=template``, ``sonketGroup``, ``sonketTemplate`` = a fingerprint of its requests,
so a changed forms.toml makes a new template instead of copying a stale one), and each unit's
Sheet is a ``files.copy`` of it: a Drive call that keeps tabs, formats, protected ranges and
validation. What differs between two units of a group is a handful of cells (the "Đơn vị: …"
line on each tab, the unit's name in a one-row form): ``unit_cells`` finds them by comparing
the unit's layout with the template's, and ONE ``values.batchUpdate`` (RAW) writes them —
or none at all with ``SONKET_GOOGLE_UNIT_CELLS=title``, where the template's line points to
the file name, which carries the unit's name.

Unverified against real Google (see README and ``bench/verify_google.py``): whether a copied
protected range keeps its editors list (the fake keeps it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from sonket_gsync.backends.google import sheets as sheet_requests
from sonket_gsync.campaign.model import Campaign, Unit
from sonket_gsync.forms.layout import SheetLayout, workbook_layout

TEMPLATE_KIND = "template"
TEMPLATES_FOLDER = "Mẫu biểu (hệ thống dùng, không sửa)"
PLACEHOLDER_WRITE = "…"  # overwritten in every copy
PLACEHOLDER_TITLE = "(tên đơn vị ghi ở tên tệp)"


def placeholder_unit(campaign: Campaign, group: str, mode: str) -> Unit:
    member = campaign.units_in(group)[0]
    name = PLACEHOLDER_TITLE if mode == "title" else PLACEHOLDER_WRITE
    return replace(member, code=f"__mau__{group}", name=name, emails=())


def template_layouts(campaign: Campaign, group: str, mode: str) -> list[SheetLayout]:
    return workbook_layout(campaign, placeholder_unit(campaign, group, mode))


def template_requests(campaign: Campaign, group: str, mode: str, editors: tuple[str, ...]) -> list[dict]:
    return sheet_requests.setup_requests(template_layouts(campaign, group, mode), editors=editors)


def fits_template(campaign: Campaign, unit: Unit, mode: str) -> bool:
    """True when the unit's forms differ from its group's template only in cells that
    ``unit_cells`` writes. A unit that reports an indicator others of its group do not
    (indicators.csv ``reported_by``) has that row open where the template has it greyed,
    protected and unvalidated: such a unit gets its own batchUpdate instead of a copy."""
    mine = [layout.row_locks for layout in workbook_layout(campaign, unit)]
    return mine == [layout.row_locks for layout in template_layouts(campaign, unit.group, mode)]


def fingerprint(requests: list[dict]) -> str:
    text = json.dumps(requests, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def unit_cells(campaign: Campaign, unit: Unit, mode: str) -> list[dict]:
    """``data`` for ONE values.batchUpdate (RAW): the cells where the unit's layout differs
    from its group's template, one contiguous run of a row per range. Empty in title mode."""
    if mode == "title":
        return []
    mine = workbook_layout(campaign, unit)
    theirs = template_layouts(campaign, unit.group, mode)
    data: list[dict] = []
    for layout, template in zip(mine, theirs, strict=False):
        grid, base = layout.grid(), template.grid()
        for r, row in enumerate(grid):
            other = base[r] if r < len(base) else []
            run: list[tuple[int, object]] = []
            for c, value in enumerate(row):
                if value != (other[c] if c < len(other) else None):
                    if run and run[-1][0] != c - 1:
                        data.append(_range(layout.form.sheet, r, run))
                        run = []
                    run.append((c, value))
            if run:
                data.append(_range(layout.form.sheet, r, run))
    return data


def _range(title: str, row0: int, run: list[tuple[int, object]]) -> dict:
    col0 = run[0][0]
    return {
        "range": sheet_requests.a1_block(title, row0 + 1, col0 + 1, 1, len(run)),
        "majorDimension": "ROWS",
        "values": [[sheet_requests.raw_value(v) for _, v in run]],
    }
