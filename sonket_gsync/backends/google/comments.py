"""Staff's return comments on a unit's Google files (issue 18): each comment becomes a Drive
comment (Drive API ``comments.create``) on the unit's Sheet, or on its narrative Doc when
it points at an outline item. The location is written at the head of the comment
("[Biểu 'PL02 Đảng ủy', dòng 7, cột 'Số lượng'] …"): Drive shows API comments unanchored in
the editors, so the words carry where. Everyone with access to the file sees it.

``CommentsMixin`` gives ``GoogleWorkspace`` its ``add_comments`` and turns on
``capabilities.comments`` for the class that mixes it in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sonket_gsync.backends.base import Capabilities, UnitFiles


class CommentsMixin:
    """Needs from the workspace: ``client`` (GoogleClient) and ``capabilities``."""

    client: Any
    capabilities: Capabilities

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.capabilities = dataclasses.replace(cls.capabilities, comments=True)

    def add_comments(self, files: UnitFiles, comments: Sequence[tuple[str, str, bool]]) -> int:
        """One Drive comment per (where, text, on_narrative); returns how many were made."""
        api = self.client.drive.comments()
        made = 0
        for where, text, on_narrative in comments:
            file_id = files.doc_id if on_narrative and files.doc_id else files.sheet_id
            content = f"[{where}] {text}" if where else text
            self.client.execute(
                api.create(fileId=file_id, body={"content": content}, fields="id"),
                what="Drive comments.create",
                where=f"đơn vị {files.unit_code}",
            )
            made += 1
        return made


__all__ = ["CommentsMixin"]
