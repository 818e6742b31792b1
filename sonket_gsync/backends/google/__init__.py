"""The Google Workspace backend: a Shared Drive folder with one Google Sheet and one Google
Doc per unit. ``GoogleWorkspace`` is all the rest of the service sees."""

from sonket_gsync.backends.google.workspace import GoogleWorkspace

__all__ = ["GoogleWorkspace"]
