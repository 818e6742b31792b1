"""A real browser against the real server: Debian's Chromium (/usr/bin/chromium) driven
headless by Selenium through /usr/bin/chromedriver, the app on a loopback port, a worker
thread running the jobs. Staff sign in, filter the units, click Biên soạn báo cáo, watch
the job finish and open the draft; a unit uploads an invalid workbook and sees its
problems, then a valid one and sees it accepted. Screenshots go to docs/ for the README
with SONKET_SAVE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from sonket_gsync.core.settings import REPO_ROOT
from sonket_gsync.core.text import now
from tests.web.fixtures import STAFF_EMAIL, STAFF_PASSWORD, filled_workbook

pytestmark = pytest.mark.browser

DOCS = REPO_ROOT / "docs"


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: docs/ (for the README) with SONKET_SAVE_SCREENSHOTS=1, else a temp folder."""
    folder = DOCS if os.environ.get("SONKET_SAVE_SCREENSHOTS") == "1" else tmp_path / "shots"
    folder.mkdir(exist_ok=True)
    return folder


def wait(driver, seconds: float = 30):
    return WebDriverWait(driver, seconds, poll_frequency=0.2)


def test_staff_sign_in_filter_compile_and_open_the_draft(live, browser, shots):
    browser.get(live.base + "/")
    assert "/dang-nhap" in browser.current_url  # staff pages need sign-in
    browser.find_element(By.ID, "email").send_keys(STAFF_EMAIL)
    browser.find_element(By.ID, "password").send_keys(STAFF_PASSWORD)
    browser.find_element(By.ID, "login").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "units")))
    total = len(browser.find_elements(By.CSS_SELECTOR, "#units tbody tr[data-status]"))
    assert total == len(live.service.campaign.units)
    assert browser.save_screenshot(str(shots / "dashboard.png"))

    # Filter by group (applies on change), then by a name typed without accents.
    group = live.service.campaign.groups[3]
    Select(browser.find_element(By.ID, "filter-group")).select_by_value(group.code)
    wait(browser).until(lambda d: f"nhom={group.code}" in d.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "#units tbody tr[data-status]")
    assert len(rows) == len(live.service.campaign.units_in(group.code))
    assert {r.get_attribute("data-group") for r in rows} == {group.code}
    Select(browser.find_element(By.ID, "filter-group")).select_by_value("")
    wait(browser).until(lambda d: "nhom=&" in d.current_url or d.current_url.endswith("nhom="))
    box = browser.find_element(By.ID, "filter-name")
    box.clear()
    box.send_keys("so noi vu")
    browser.find_element(By.ID, "filter-apply").click()
    wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#units tbody tr[data-status]")) == 1)
    assert "Sở Nội vụ" in browser.find_element(By.ID, "units").text

    # Biên soạn báo cáo: the job runs in the worker; the page shows its progress, then links.
    # A second job (Đồng bộ ngay during the compile) gets its own box: the compile's stays.
    browser.find_element(By.ID, "compile").click()
    label = wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, '#jobs .job[data-kind="compile"] .job-label')))
    browser.find_element(By.ID, "sync-now").click()
    synced = wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, '#jobs .job[data-kind="sync"] .job-label')))
    wait(browser, 240).until(lambda d: label.get_attribute("data-state") in ("done", "failed") and synced.get_attribute("data-state") in ("done", "failed"))
    assert label.get_attribute("data-state") == "done", label.text
    assert synced.get_attribute("data-state") == "done", synced.text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#jobs .job")) == 2
    box = browser.find_element(By.CSS_SELECTOR, '#jobs .job[data-kind="compile"]')
    assert "Đã soạn dự thảo" in box.find_element(By.CLASS_NAME, "job-result").text
    draft = box.find_element(By.PARTIAL_LINK_TEXT, "Dự thảo báo cáo")
    draft.click()
    wait(browser, 30).until(lambda d: any(p.suffix == ".docx" for p in d.downloads.iterdir()))
    saved = next(p for p in browser.downloads.iterdir() if p.suffix == ".docx")
    assert saved.read_bytes()[:2] == b"PK"


def test_unit_uploads_an_invalid_then_a_valid_workbook(live, browser, tmp_path, shots):
    code = next(r.code for r in live.service.queries.overview().units if r.status == "missing")
    live.service.store.reopen_unit(code, now() + timedelta(days=5), STAFF_EMAIL)
    bad = tmp_path / "bieu-mau-loi.xlsx"
    bad.write_bytes(filled_workbook(live, code, tmp_path, spoil=True))
    good = tmp_path / "bieu-mau.xlsx"
    good.write_bytes(filled_workbook(live, code, tmp_path))
    browser.set_window_size(412, 915)  # a phone, as units open the page from a QR code
    browser.get(f"{live.base}/u/{live.token(code)}")
    assert live.service.campaign.unit(code).name in browser.find_element(By.TAG_NAME, "h1").text

    browser.find_element(By.ID, "bieu_mau").send_keys(str(bad))
    browser.find_element(By.ID, "upload").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "preview")))
    preview = browser.find_element(By.ID, "preview").text
    assert "Lỗi" in preview and "dòng" in preview
    assert browser.find_elements(By.ID, "not-accepted") and not browser.find_elements(By.ID, "confirm")

    browser.find_element(By.ID, "bieu_mau").send_keys(str(good))
    browser.find_element(By.ID, "upload").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "confirm")))
    assert browser.save_screenshot(str(shots / "unit-page.png"))
    browser.find_element(By.ID, "confirm").click()
    wait(browser, 120).until(lambda d: d.find_element(By.ID, "job-label").get_attribute("data-state") in ("done", "failed"))
    assert browser.find_element(By.ID, "job-label").get_attribute("data-state") == "done"
    browser.find_element(By.PARTIAL_LINK_TEXT, "Xem lại trang").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "status")))
    assert browser.find_element(By.ID, "status").text == "Trễ hạn"  # sent after the deadline
