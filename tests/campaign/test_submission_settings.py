"""campaign.toml [submission] and [reminders]: parsed into typed settings, every mistake
located (file, section, key) with its fix in Vietnamese; absent sections have their defaults."""

from __future__ import annotations

import re
import shutil
from datetime import time
from pathlib import Path

import pytest

from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.campaign.model import ReminderSettings, SubmissionSettings
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "campaign"
    shutil.copytree(DEFAULT_CAMPAIGN, target)
    return target


def set_section(folder: Path, name: str, body: str | None) -> None:
    """Replace (or remove, body None) the [name] section of campaign.toml."""
    path = folder / "campaign.toml"
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^\[{name}\]\n(?:(?!\[).*\n)*", re.M)
    assert pattern.search(text), name
    text = pattern.sub("" if body is None else f"[{name}]\n{body}\n\n", text, count=1)
    path.write_text(text, encoding="utf-8")


def test_the_campaign_sets_its_count_and_reminders(campaign):
    assert campaign.submission == SubmissionSettings(count="latest_valid")
    assert campaign.reminders == ReminderSettings(before_days=(7, 3, 1), overdue_every_days=2, send_at=time(8, 0))


def test_absent_sections_mean_latest_valid_and_no_automatic_reminders(folder):
    set_section(folder, "submission", None)
    set_section(folder, "reminders", None)
    loaded = load_campaign(folder)
    assert loaded.submission.count == "latest_valid" and loaded.reminders is None


def test_confirmed_count_and_own_reminder_days(folder):
    set_section(folder, "submission", 'count = "confirmed"')
    set_section(folder, "reminders", 'before_days = [1, 5]\noverdue_every_days = 0\nsend_at = "7:30"')
    loaded = load_campaign(folder)
    assert loaded.submission.count == "confirmed"
    assert loaded.reminders == ReminderSettings(before_days=(5, 1), overdue_every_days=0, send_at=time(7, 30))


@pytest.mark.parametrize(
    ("section", "body", "where", "fix"),
    [
        ("submission", 'count = "all"', "[submission], count", "confirmed"),
        ("reminders", "before_days = [7, -1]", "[reminders], before_days", "[7, 3, 1]"),
        ("reminders", 'before_days = "7"', "[reminders], before_days", "[7, 3, 1]"),
        ("reminders", "overdue_every_days = -2", "[reminders], overdue_every_days", "không âm"),
        ("reminders", 'send_at = "25:00"', "[reminders], send_at", "HH:MM"),
        ("reminders", "send_at = 8", "[reminders], send_at", "HH:MM"),
    ],
)
def test_a_wrong_setting_is_located_with_its_fix(folder, section, body, where, fix):
    set_section(folder, section, body)
    with pytest.raises(ConfigError) as wrong:
        load_campaign(folder)
    assert wrong.value.where.endswith(where) and "campaign.toml" in wrong.value.where
    assert fix in wrong.value.fix and wrong.value.message
