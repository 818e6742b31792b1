"""Form roles (forms.toml ``role``): one module per role says what its forms are to the later
stages — how they aggregate, what they add to the draft and to the aggregated workbook, and
how the demo answers them (see ``base.Role``). Aggregation, the report, the workbook and the
demo iterate ``REGISTRY`` and never test a role's name.

Adding a role: write its module here (a ``Role`` subclass and ``ROLE``), list it in
``_MODULES``, and add its name and column roles to FORM_ROLES / COLUMN_ROLES in
campaign/model.py (checked below when this package is imported).
"""

from __future__ import annotations

from sonket_gsync.analysis.roles import documents, free, indicators, inspection, party_committees
from sonket_gsync.analysis.roles.base import Cell, DemoAsk, Grid, Note, Role, Table
from sonket_gsync.campaign.model import FORM_ROLES, OUTLINE_FIGURES, Form

_MODULES = (documents, inspection, party_committees, indicators, free)

# name -> role, in FORM_ROLES order (the order of the workbook's tabs).
REGISTRY: dict[str, Role] = {m.ROLE.name: m.ROLE for m in _MODULES}
if set(REGISTRY) != set(FORM_ROLES):
    raise RuntimeError(f"Every name in FORM_ROLES needs a role module, and only those: {sorted(set(REGISTRY) ^ set(FORM_ROLES))}")
REGISTRY = {name: REGISTRY[name] for name in FORM_ROLES}
if sorted(r.figures for r in REGISTRY.values() if r.figures) != sorted(OUTLINE_FIGURES):
    raise RuntimeError("Every outline figure (OUTLINE_FIGURES) needs exactly one role writing its facts.")


def role_for(form: Form) -> Role:
    return REGISTRY[form.role]


def roles() -> list[Role]:
    """Every role, in FORM_ROLES order."""
    return list(REGISTRY.values())


def role_with_figures(figures: str) -> Role | None:
    """The role whose facts go under an outline item with this ``figures`` value."""
    return next((r for r in REGISTRY.values() if figures and r.figures == figures), None)


__all__ = ["REGISTRY", "Cell", "DemoAsk", "Grid", "Note", "Role", "Table", "role_for", "role_with_figures", "roles"]
