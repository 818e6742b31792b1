"""The report: records and frames in, bytes out. Never sees the store.

- ``draft``: ``render_report`` — the draft .docx (docxtpl) as a Party document.
- ``body`` / ``appendix`` / ``indicators`` / ``charts`` / ``wordml``: its parts.
- ``tables``: ``summary_tabs`` and the aggregated workbook (tong-hop.xlsx).
- ``distribution``: the printable sheet of every unit's links and QR codes.
"""

import lazy_loader

# The public surface, loaded on first use: importing the package costs nothing more.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "draft": ["render_report"],
        "tables": ["summary_tabs"],
        "distribution": ["distribution_docx"],
    },
)
