"""The store's schema revision, read without Alembic on the common path: the head known from
the migration file names agrees with Alembic's reading of the same folder; a store at the
head opens without importing Alembic; an older store upgrades in place; a newer one is refused."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sonket_gsync.core.errors import StoreError
from sonket_gsync.core.settings import REPO_ROOT
from sonket_gsync.store import SqlStore
from sonket_gsync.store.engine import _alembic_config, head_revision, known_revisions


def test_the_head_from_the_file_names_is_alembics_head_and_each_file_names_its_revision():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None))  # type: ignore[arg-type]
    assert head_revision() == script.get_current_head()
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert list(known_revisions()) == chain  # one linear chain, file NNNN_… holds revision NNNN


def test_a_store_at_the_head_opens_without_importing_alembic(tmp_path):
    path = tmp_path / "sonket.db"
    SqlStore(path).close()  # created and migrated here
    out = tmp_path / "modules.json"
    code = (
        "import json, sys\nfrom sonket_gsync.store import SqlStore\n"
        f"SqlStore({str(path)!r}).close()\n"
        f"open({str(out)!r}, 'w').write(json.dumps(sorted(sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, check=True, capture_output=True)
    modules = set(json.loads(out.read_text()))
    assert "sqlalchemy" in modules
    assert not {m for m in modules if m.split(".")[0] == "alembic"}


def test_a_store_one_revision_behind_is_upgraded_in_place(tmp_path):
    path = tmp_path / "sonket.db"
    SqlStore(path).close()
    previous = known_revisions()[-2]
    from alembic import command

    from sonket_gsync.store.engine import database_url, make_engine

    engine = make_engine(database_url("", path))
    with engine.connect() as conn:
        conn.execution_options(sonket_write=True)
        with conn.begin():
            command.downgrade(_alembic_config(conn), previous)
    engine.dispose()
    assert sqlite3.connect(path).execute("SELECT version_num FROM alembic_version").fetchone()[0] == previous
    SqlStore(path).close()
    assert sqlite3.connect(path).execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()


def test_a_store_of_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "sonket.db"
    SqlStore(path).close()
    newer = f"{int(head_revision()) + 1:04d}"
    db = sqlite3.connect(path)
    db.execute("UPDATE alembic_version SET version_num = ?", (newer,))
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="phiên bản mới hơn"):
        SqlStore(Path(path))
