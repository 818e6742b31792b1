"""The smaller points of issue 17, item 5: a reader that goes away (`… | head`) is not an
error; an integer target with a decimal part is refused; a control character between words
leaves a space; the demo names the store it really wrote."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.settings import REPO_ROOT
from sonket_gsync.core.text import clean
from sonket_gsync.store import open_store

CAMPAIGN = REPO_ROOT / "config" / "so-ket-45-nq-tw"


def test_jobs_piped_into_head_ends_quietly_with_exit_0(settings):
    store = open_store(settings)
    for n in range(3000):  # more than a pipe holds: the writer is still writing when head leaves
        store.enqueue_job("sync", {"n": n}, dedupe_key=f"sync:{n}", requested_by="cán bộ thử nghiệm dài dòng để dòng dài hơn")
    store.close()
    cli = [sys.executable, "-m", "sonket_gsync.cli.main", "--data", str(settings.data_dir), "jobs", "--limit", "3000"]
    proc = subprocess.Popen(cli, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO_ROOT)
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    stderr = proc.stderr.read().decode()
    assert proc.wait(60) == 0
    assert first.startswith(b"#3000") and "BrokenPipe" not in stderr and "Lỗi" not in stderr and "Traceback" not in stderr


def test_a_control_character_between_words_becomes_one_space():
    assert clean("Văn phòng\x01Ủy ban") == "Văn phòng Ủy ban"
    assert clean("Văn phòng \x0b Ủy ban") == "Văn phòng Ủy ban"
    assert clean("\x00Sở Nội vụ\x1f") == "Sở Nội vụ"
    assert clean("dòng 1\ndòng 2\tcột") == "dòng 1\ndòng 2\tcột"  # legal whitespace is kept


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "campaign"
    shutil.copytree(CAMPAIGN, target)
    return target


def _set_target(folder: Path, code: str, target: str) -> None:
    path = folder / "indicators.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for row in rows:
        if row["code"] == code:
            row["target_2030"] = target
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_an_integer_target_with_a_decimal_part_is_refused_with_where_and_how(folder):
    _set_target(folder, "CT02", "12,5")
    with pytest.raises(ConfigError) as err:
        load_campaign(folder)
    assert "12,5" in err.value.message and "số nguyên" in err.value.message
    assert "target_2030" in err.value.where and "indicators.csv" in err.value.where
    assert "value_type" in err.value.fix


def test_a_whole_integer_target_is_accepted(folder):
    _set_target(folder, "CT02", "1200,0")
    assert next(i for i in load_campaign(folder).indicators if i.code == "CT02").target_2030 == 1200


def test_the_demo_on_postgresql_names_the_database_it_wrote_not_a_sqlite_file(tmp_path, pg_url):
    import os

    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "SONKET_DATABASE_URL": pg_url}
    demo = subprocess.run([sys.executable, "-m", "sonket_gsync", "--data", str(tmp_path / "d"), "demo"], env=env, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr
    [line] = [x for x in demo.stdout.splitlines() if x.startswith("Kho dữ liệu:")]
    assert "postgresql" in line.lower() and "sonket.db" not in line
    assert not (tmp_path / "d" / "sonket.db").exists()  # and no SQLite store was made beside it
