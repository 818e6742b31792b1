"""Shared fixtures: a loaded campaign and fresh settings on a temporary data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN, Settings

pytest_plugins = ["tests.fake_google.fixtures", "tests.pg", "tests.web.fixtures"]  # tests.pg: a real PostgreSQL (store); tests.web: the web app (issue 8)


@pytest.fixture(scope="session")
def campaign():
    return load_campaign(DEFAULT_CAMPAIGN)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({}, data_dir=tmp_path / "data")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that starts PostgreSQL (through the ``pg_server`` / ``pg_url`` fixtures) is
    marked ``postgres``: ``make test-fast`` leaves it out."""
    for item in items:
        if {"pg_server", "pg_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)
