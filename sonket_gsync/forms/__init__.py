"""Forms: what a unit fills and what it yields. Every backend lays out and reads a unit's
files through here, so the rules are told once.

- ``layout``: what each form's tab holds (title, unit row, headers, fixed rows).
- ``policy`` / ``validation``: one column policy (bounds, prompt, error text, number format);
  a cell's value against its column, with a located Vietnamese message.
- ``limits``: what a unit may send (sizes, ratios, rows), checked before any parser runs.
- ``workbook`` / ``narrative`` / ``reading``: the unit's .xlsx and outline .docx, written and read.
- ``submission``: ``Submission``, ``Problem``, ``UnitRecord`` and the status rules
  (``unit_status``, ``is_sent``, ``is_on_time``, ``is_late``) with their labels.
"""

import lazy_loader

# The public surface, loaded on first use: importing the package costs nothing more.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "submission": ["Problem", "Submission", "UnitRecord", "STATUS_LABELS", "status_label", "unit_status", "is_sent", "is_on_time", "is_late"],
        "layout": ["sheet_layout", "workbook_layout"],
        "limits": ["Limits", "DEFAULT_LIMITS"],
        "reading": ["read_workbook"],
    },
)
