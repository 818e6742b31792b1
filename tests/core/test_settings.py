"""The settings object is read from the environment in one place, and the README's table
documents exactly its fields."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.settings import REPO_ROOT, Settings


def test_readme_settings_table_matches_the_settings_class():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `(SONKET_[A-Z_]+)` \|", readme, flags=re.M)
    assert documented == [f"SONKET_{f.name.upper()}" for f in fields(Settings)]


def test_environment_is_read_and_typed():
    settings = Settings.from_env(
        {"SONKET_DATA_DIR": "/tmp/x", "SONKET_SHEETS_READS_PER_MINUTE": "30", "SONKET_BACKOFF_CAP_SECONDS": "2.5", "SONKET_BACKEND": "google"}
    )
    assert settings.data_dir == Path("/tmp/x") and settings.db_path == Path("/tmp/x/sonket.db")
    assert settings.sheets_reads_per_minute == 30 and settings.backoff_cap_seconds == 2.5 and settings.backend == "google"


def test_cli_overrides_win_over_the_environment():
    settings = Settings.from_env({"SONKET_BACKEND": "google"}, backend="local", data_dir=None)
    assert settings.backend == "local" and settings.data_dir == Path("data").resolve()


def test_bad_values_are_explained():
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"SONKET_SHEETS_READS_PER_MINUTE": "nhiều"})
    assert "SONKET_SHEETS_READS_PER_MINUTE" in err.value.where
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"SONKET_BACKEND": "dropbox"})
    assert "local" in err.value.fix and "google" in err.value.fix


# --- store settings (issue 7) ---------------------------------------------------------------


def test_database_url_and_lease_settings_are_read_and_checked():
    settings = Settings.from_env({"SONKET_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/sonket", "SONKET_LEASE_SECONDS": "5"})
    assert settings.database_url.startswith("postgresql://") and settings.lease_seconds == 5.0
    assert Settings.from_env({}).database_url == ""
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"SONKET_DATABASE_URL": "mysql://x/y"})
    assert "SONKET_DATABASE_URL" in err.value.where
    with pytest.raises(ConfigError):
        Settings.from_env({"SONKET_LEASE_SECONDS": "0"})
