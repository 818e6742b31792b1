"""Ingest: a unit's files into the store. Nothing here knows which backend runs.

- ``parse``: a snapshot (cell grids + narrative .docx) into a ``Submission`` and ``Problem``s.
- ``sync``: one sync run: what changed since the cursor (+ retries) → parse → store.
- ``upload``: a file a unit uploads on its page: checked, previewed, staged, accepted.
"""

import lazy_loader

# The public surface, loaded on first use: importing the package costs nothing more.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "parse": ["parse_snapshot"],
        "sync": ["SyncReport"],
        "upload": ["accept_upload", "check_file", "preview", "stage"],
    },
)
