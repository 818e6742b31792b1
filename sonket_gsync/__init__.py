"""sonket-gsync: runs a province's reporting campaign on Google Workspace or a local folder."""

__version__ = "0.1.0"
