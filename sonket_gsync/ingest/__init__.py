"""Ingest: a unit's files into the store (parse and validate a snapshot, the sync run, accepting an upload)."""
