"""What a form role is to the later stages, as plain data and callables.

A role module subclasses ``Role`` and overrides what its forms contribute: its frames
(``aggregate``), the facts printed under an outline item (``facts``), its appendix table
(``appendix``), its tabs of the aggregated workbook (``workbook_tabs``) and, for a role of
its own, the demo's answers (``demo``, ``demo_finish``, ``demo_rows``; the built-in roles'
answers are demo/answers.py, worded by each campaign's phrase bank). The defaults
contribute nothing, so a role overrides only what it has. Report, workbook and demo code
(higher layers) render what the roles return: ``Table``/``Note`` become WordprocessingML in
report/appendix.py, grids become sheets in report/tables.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from sonket_gsync.campaign.model import Campaign, Column, Form, Unit
from sonket_gsync.core.text import parse_date

Grid = list[list[object]]  # a workbook tab: header row, then rows of typed values


@dataclass(frozen=True)
class Cell:
    """One cell of a report table (rendered by report/wordml.py)."""

    text: str = ""
    bold: bool = False
    italic: bool = False
    align: str = "left"
    span: int = 1  # columns merged to the right
    vmerge: str = ""  # "restart" | "continue" for a cell merged with the one below/above
    shade: str = ""  # fill colour, e.g. "EDEDED"


@dataclass(frozen=True)
class Table:
    """A bordered table in the draft; ``header`` rows repeat on every page."""

    widths: list[float]  # cm per column
    header: list[list[Cell]]
    rows: list[list[Cell]]
    cant_split: bool = True  # rows never break across pages


@dataclass(frozen=True)
class Note:
    """An italic note under a table."""

    text: str


@dataclass
class DemoAsk:
    """What a role's demo answers are made from (built by demo/synthetic.py for one unit)."""

    campaign: Campaign
    unit: Unit
    rng: random.Random
    writer: Any  # demo.writing.Writer or demo.generic.GenericWriter: the unit's names, figures and way of writing
    issued_number: Callable[[str, str], str]  # (summary, issuer) -> a document number as its issuer writes it
    column: Column | None = None  # the column being answered


@dataclass
class Role:
    """A form role (forms.toml ``role``). Subclass it in one module per role."""

    name: str
    figures: str = ""  # the outline ``figures`` value whose facts this role writes ("" = none)
    has_appendix: bool = False  # its form gets a table in the draft's appendices
    # The demo's answer per column key, for a role of its own (the built-in roles' answers are
    # demo/answers.py; other columns are answered by type). A text answer is cut to the
    # column's length; "" leaves the cell empty.
    demo: Mapping[str, Callable[[DemoAsk], object]] = field(default_factory=dict)

    def aggregate(self, campaign: Campaign, units: pd.DataFrame, submissions: dict) -> dict[str, Any]:
        """Named results (frames, dicts, tuples) read as attributes of ``Aggregates``.
        ``units`` is every campaign unit in units.csv order; ``submissions`` unit code ->
        the last accepted Submission."""
        return {}

    def facts(self, campaign: Campaign, aggregates: Any, names: dict[str, str]) -> list[str]:
        """Sentences printed under an outline item whose ``figures`` is this role's;
        ``names``: role -> appendix label ("Phụ lục 01")."""
        return []

    def table_in_body(self, aggregates: Any) -> bool:
        """Whether the body prints the template's table for this role under its item."""
        return False

    def appendix(self, campaign: Campaign, form: Form, aggregates: Any, names: dict[str, str]) -> list[Table | Note]:
        """The form's table (and notes) in the draft's appendices (``has_appendix``)."""
        return []

    def workbook_tabs(self, campaign: Campaign, aggregates: Any) -> dict[str, Grid]:
        """Tabs of the aggregated workbook, by title, in order."""
        return {}

    def demo_rows(self, form: Form, ask: DemoAsk) -> list[dict[str, object]] | None:
        """The demo's rows for a form of this role; None = rows by the form's row mode."""
        return None

    def demo_finish(self, row: dict[str, object], ask: DemoAsk) -> None:
        """Make one demo row consistent once every column is answered."""


# --- typed workbook values ---------------------------------------------------------------------


def number_cell(value) -> float | int | None:
    """A number for a workbook cell (whole numbers as int), None when not a number."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return int(value) if value.is_integer() else round(value, 4)


def date_cell(iso: str) -> date | str:
    """An ISO date as a date for a workbook cell (kept as typed when it is not one)."""
    return parse_date(iso) or iso if iso else ""
