"""The cache of a campaign's files as last listed from Drive (shared by the workspace's parts)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Index:
    """The campaign's files as last listed: folders, units' files, outputs."""

    folders: dict[str, dict] = field(default_factory=dict)  # "campaign" | "units" | "outputs" | "templates"
    templates: dict[str, dict] = field(default_factory=dict)  # "group|fingerprint" -> ready template
    units: dict[str, dict[str, dict]] = field(default_factory=dict)  # code -> {"sheet"|"doc": file}
    outputs: dict[str, dict] = field(default_factory=dict)  # sonketOutput -> file
    summary: dict | None = None
    partial: bool = False  # rebuilt from a changes cursor: unit files only, no folders/outputs


def _older(a: dict | None, b: dict) -> dict:
    """Of two duplicates (a race, a restore from trash), keep the first created."""
    if a is None:
        return b
    return a if (a.get("createdTime") or "") <= (b.get("createdTime") or "") else b
