"""An installed wheel runs without a source checkout: the example campaign and the report
template are package data, and the dependencies listed match what the code imports."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
import zipfile

from sonket_gsync.core.settings import REPO_ROOT


def test_the_wheel_carries_the_campaign_and_the_template_and_runs_the_demo_from_anywhere(tmp_path, wheel, demo_run):
    names = zipfile.ZipFile(wheel.path).namelist()
    assert "sonket_gsync/resources/campaigns/so-ket-45-nq-tw/units.csv" in names
    assert "sonket_gsync/resources/templates/bao-cao-so-ket.docx" in names
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", "import sonket_gsync, sys; print(sonket_gsync.__file__); from sonket_gsync.cli.main import main; main(['check-config'])"],
        cwd=elsewhere,
        env=wheel.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    first_line, rest = result.stdout.split("\n", 1)
    assert first_line.startswith(str(wheel.site))  # the wheel's copy, not the checkout
    assert "127" not in result.stderr and "chỉ tiêu" in rest
    # the whole demo, as `python -m sonket_gsync`, from the wheel's copy (the same environment
    # as above) in another folder: the demo the other tests use (tests/conftest.py), run once
    assert demo_run.pythonpath == str(wheel.site) and demo_run.result.args[1:] == ["-m", "sonket_gsync", "demo"]
    assert not demo_run.cwd.is_relative_to(REPO_ROOT) and not REPO_ROOT.is_relative_to(demo_run.cwd)
    assert demo_run.ok, demo_run.result.stderr
    assert "Dự thảo báo cáo:" in demo_run.result.stdout and "Toàn tỉnh" in demo_run.result.stdout
    assert list(demo_run.pristine.rglob("*.docx")) and (demo_run.pristine / "sonket.db").is_file()


def test_every_third_party_import_is_a_listed_dependency():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = {_dist_key(d) for d in project["dependencies"]}
    imported = set()
    for folder in ("sonket_gsync", "webhooks"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            if "resources" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    imported |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    imported.add(node.module.split(".")[0])
    third_party = {m for m in imported if m not in sys.stdlib_module_names and m not in ("sonket_gsync", "webhooks")}
    missing = {m for m in third_party if _IMPORT_TO_DIST.get(m, m) not in listed}
    assert not missing, f"imported but not in [project] dependencies: {sorted(missing)}"
    unused = {d for d in listed if d not in {_IMPORT_TO_DIST.get(m, m) for m in third_party} | _INDIRECT}
    assert not unused, f"listed but never imported: {sorted(unused)}"


# import name -> distribution name, where they differ
_IMPORT_TO_DIST = {
    "docx": "python-docx",
    "googleapiclient": "google-api-python-client",
    "google": "google-auth",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "dateutil": "python-dateutil",
    "sklearn": "scikit-learn",
    "flask_login": "flask-login",
    "flask_wtf": "flask-wtf",
    "psycopg": "psycopg",
    "sqlalchemy": "sqlalchemy",
    "google_auth_httplib2": "google-auth-httplib2",
    "lazy_loader": "lazy-loader",
    "python_calamine": "python-calamine",
}
# listed for what they bring, not imported by name
_INDIRECT = {"defusedxml", "gunicorn", "psycopg"}


def _dist_key(requirement: str) -> str:
    name = requirement.split(";")[0]
    for sep in "<>=!~[ ":
        name = name.split(sep)[0]
    return name.strip().lower()
