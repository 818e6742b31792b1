"""Drive comments (``comments.create`` and ``comments.list``) on the fake: the route and its
handler, installed on FakeGoogle by one line at the end of server.py.

Like Drive: the ``fields`` parameter is required (400 without it), ``content`` is required,
the file must exist and be visible. Comments are kept per file on the fake
(``fake.drive_comments(file_id)``) for tests to read.
"""

from __future__ import annotations

import itertools
import re
import time

from . import discovery
from .errors import drive_error

_ids = itertools.count(1)


def install(fake_class, routes: list) -> None:
    """Add the comments routes to ``routes`` (compiled like server.py's) and their handlers to ``fake_class``."""
    routes.append(("drive", "POST", re.compile(r"^/drive/v3/files/([^/]+)/comments$"), "drive.comments.create", "comments_create"))
    routes.append(("drive", "GET", re.compile(r"^/drive/v3/files/([^/]+)/comments$"), "drive.comments.list", "comments_list"))
    fake_class.comments_create = comments_create
    fake_class.comments_list = comments_list
    fake_class.drive_comments = drive_comments


def _store(fake) -> dict[str, list[dict]]:
    if not hasattr(fake, "_drive_comments"):
        fake._drive_comments = {}
    return fake._drive_comments


def comments_create(fake, request, params, query):
    f = fake._file(params[0], query, all_drives_param=False)
    if not query.get("fields"):
        raise drive_error(400, "The 'fields' parameter is required for this operation.", "required", location="fields")
    body = fake._json_body(request, "drive", "drive.comments.create")
    if not body.get("content"):
        raise drive_error(400, "A comment must have content.", "required", location="content")
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    comment = {
        "kind": "drive#comment",
        "id": f"c{next(_ids)}",
        "content": body["content"],
        "htmlContent": body["content"],
        "createdTime": now,
        "modifiedTime": now,
        "resolved": False,
        "deleted": False,
        "anchor": body.get("anchor", ""),
        "author": {"kind": "drive#user", "displayName": "sonket-gsync", "me": True},
        "replies": [],
    }
    _store(fake).setdefault(f.id, []).append(comment)
    return discovery.apply_fields(comment, discovery.parse_fields(query["fields"][0]))


def comments_list(fake, request, params, query):
    f = fake._file(params[0], query, all_drives_param=False)
    comments = list(_store(fake).get(f.id, []))
    body = {"kind": "drive#commentList", "comments": comments}
    fields = query.get("fields")
    return discovery.apply_fields(body, discovery.parse_fields(fields[0])) if fields else body


def drive_comments(fake, file_id: str) -> list[dict]:
    """The comments made on a file, oldest first (a test's view)."""
    with fake.state.lock:
        return [dict(c) for c in _store(fake).get(file_id, [])]
