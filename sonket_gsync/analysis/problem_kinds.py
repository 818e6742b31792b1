"""The kinds of data problem analysis/checks.py finds, and their Vietnamese labels (no pandas:
the web reads them)."""

from __future__ import annotations

KINDS = ("contradiction", "ticked_both_ways", "duplicate_document", "issuer_type", "impossible_value", "outlier", "wrong_addressee")
KIND_LABELS = {
    "contradiction": "Trả lời mâu thuẫn",
    "ticked_both_ways": "Đánh dấu cả hai phía",
    "duplicate_document": "Văn bản trùng",
    "issuer_type": "Loại văn bản không đúng cơ quan ban hành",
    "impossible_value": "Số liệu không thể đúng",
    "outlier": "Số liệu khác xa các đơn vị khác",
    "wrong_addressee": "Kiến nghị sai nơi nhận",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)
