"""The submission workflow in a real browser (issue 18): Debian's Chromium driven headless by
Selenium against the app on a loopback port, a worker thread running the jobs. A unit, on a
phone, sends its workbook and confirms its report with a number and a digitally signed PDF;
staff, on a desktop, see the signer and return it with a located comment; the unit sees the
comment at the top of its page, sends a corrected workbook and confirms again; staff see what
changed since the returned version and accept. After a dashboard filter changes, the results
are in view at 1280×800 and 390×844.

Screenshots of the unit page with comments and of the dashboard with the workflow states go to
docs/screenshots/ with SONKET_SAVE_SCREENSHOTS=1 (else to a temporary folder)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from sonket_gsync.app.submissions import ReviewComment
from sonket_gsync.core.settings import REPO_ROOT
from sonket_gsync.core.text import now
from sonket_gsync.forms.submission import SUBMISSION_STATE_LABELS
from tests.web.fixtures import STAFF_EMAIL, STAFF_PASSWORD, filled_workbook
from tests.web.pdfs import signed_pdf

pytestmark = pytest.mark.browser

DESKTOP = (1280, 800)
PHONE = (390, 844)


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = REPO_ROOT / "docs" / "screenshots" if os.environ.get("SONKET_SAVE_SCREENSHOTS") == "1" else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait(driver, seconds: float = 30):
    """Waits through a page being replaced (a form posted, a redirect followed)."""
    return WebDriverWait(driver, seconds, poll_frequency=0.2, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


def viewport(driver, size: tuple[int, int]) -> None:
    """Exactly this CSS viewport (a phone's is also 'mobile')."""
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def where(driver, element_id: str) -> tuple[float, float]:
    """(top of the element, height of the visible part of the page), in CSS pixels."""
    top, height = driver.execute_script("return [document.getElementById(arguments[0]).getBoundingClientRect().top, window.innerHeight];", element_id)
    return top, height


def in_view(driver, element_id: str) -> bool:
    """The element's top edge is inside the visible part of the page (once it has loaded)."""
    try:
        wait(driver, 10).until(
            lambda d: d.execute_script("return document.readyState") == "complete" and -2 <= where(d, element_id)[0] < where(d, element_id)[1] - 40
        )
    except TimeoutException:
        return False
    return True


def state_text(driver) -> str:
    return driver.find_element(By.ID, "state").text


def send_workbook(driver, base: str, token: str, path: Path) -> None:
    driver.get(f"{base}/u/{token}")
    driver.find_element(By.ID, "bieu_mau").send_keys(str(path))
    driver.find_element(By.ID, "upload").click()
    wait(driver).until(EC.element_to_be_clickable((By.ID, "confirm"))).click()
    label = wait(driver).until(EC.presence_of_element_located((By.ID, "job-label")))
    wait(driver, 120).until(lambda d: label.get_attribute("data-state") in ("done", "failed"))
    assert label.get_attribute("data-state") == "done", label.text
    assert "Đã nhận tệp" in driver.find_element(By.ID, "job-result").text  # not only "Xong"


def confirm_report(driver, base: str, token: str, number: str, pdf: Path | None = None) -> None:
    driver.get(f"{base}/u/{token}")
    for field, value in (("ho_ten", "Trần Thị Bí Thư"), ("chuc_vu", "Bí thư Đảng ủy"), ("so_ky_hieu", number)):
        driver.find_element(By.ID, field).send_keys(value)
    if pdf is not None:
        driver.find_element(By.ID, "ban_ky").send_keys(str(pdf))
    driver.find_element(By.ID, "confirm-report").click()
    wait(driver).until(lambda d: state_text(d) == SUBMISSION_STATE_LABELS["submitted"])


def test_confirm_return_fix_reconfirm_accept_in_a_browser(live, browser, tmp_path, shots):
    svc = live.service
    code = next(r.code for r in svc.queries.overview().units if r.status == "missing")
    svc.reopen_unit(code, now() + timedelta(days=5), STAFF_EMAIL)
    token = live.token(code)
    first, fixed = tmp_path / "bieu-mau.xlsx", tmp_path / "bieu-mau-da-sua.xlsx"
    first.write_bytes(filled_workbook(live, code, tmp_path))
    fixed.write_bytes(filled_workbook(live, code, tmp_path, seed=42))
    pdf = tmp_path / "bao-cao-da-ky.pdf"
    pdf.write_bytes(signed_pdf(tmp_path / "pdf", "Trần Thị Bí Thư"))

    # The unit, on a phone: send the workbook, confirm with a number and the signed PDF.
    viewport(browser, PHONE)
    send_workbook(browser, live.base, token, first)
    confirm_report(browser, live.base, token, "25-BC/ĐU", pdf)
    assert "Trần Thị Bí Thư" in browser.find_element(By.ID, "signed-pdf").text

    # Staff, on a desktop: sign in, see the signer, return with a located comment.
    viewport(browser, DESKTOP)
    browser.get(live.base + "/dang-nhap")
    browser.find_element(By.ID, "email").send_keys(STAFF_EMAIL)
    browser.find_element(By.ID, "password").send_keys(STAFF_PASSWORD)
    browser.find_element(By.ID, "login").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "units")))
    browser.get(f"{live.base}/don-vi/{code}")
    assert "Ký số bởi: Trần Thị Bí Thư" in browser.find_element(By.ID, "signed-pdf-signer").text
    form = svc.campaign.forms_for(svc.campaign.unit(code))[0]
    column = next(c for c in form.columns if not c.fixed)
    browser.find_element(By.CSS_SELECTOR, "#return-box summary").click()
    Select(browser.find_elements(By.CSS_SELECTOR, "select.comment-form")[0]).select_by_value(form.code)
    browser.find_elements(By.CSS_SELECTOR, "input.comment-row")[0].send_keys("7")
    Select(browser.find_elements(By.CSS_SELECTOR, "select.comment-column")[0]).select_by_value(column.header)
    browser.find_elements(By.CSS_SELECTOR, "textarea.comment-text")[0].send_keys("Số liệu dòng này chưa khớp với báo cáo năm trước.")
    browser.find_element(By.ID, "return").click()
    wait(browser).until(lambda d: state_text(d) == SUBMISSION_STATE_LABELS["returned"])

    # The unit sees the comment at the top of its page, with its place.
    viewport(browser, PHONE)
    browser.get(f"{live.base}/u/{token}")
    comments = browser.find_element(By.ID, "comments")
    assert in_view(browser, "comments"), where(browser, "comments")
    assert f"Biểu '{form.sheet}', dòng 7, cột '{column.header}'" in comments.text and "chưa khớp" in comments.text
    assert browser.save_screenshot(str(shots / "unit-page-comments.png"))

    # It fixes the workbook, sends it and confirms again.
    send_workbook(browser, live.base, token, fixed)
    confirm_report(browser, live.base, token, "26-BC/ĐU")

    # Staff see what changed since the returned version, then accept.
    viewport(browser, DESKTOP)
    browser.get(f"{live.base}/don-vi/{code}")
    browser.find_element(By.ID, "diff-since-returned").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "compared")))
    assert "(mới nhất)" in browser.find_element(By.ID, "compared").text
    assert browser.find_elements(By.CSS_SELECTOR, "table.diff td.old")
    browser.back()
    wait(browser).until(EC.element_to_be_clickable((By.ID, "accept"))).click()
    wait(browser).until(lambda d: state_text(d) == SUBMISSION_STATE_LABELS["accepted"])
    assert browser.save_screenshot(str(tmp_path / "staff-unit-accepted.png"))  # for a person checking the run

    # The dashboard: the states in the same words; after a filter change the results are in view.
    for size in (DESKTOP, PHONE):
        viewport(browser, size)
        browser.get(live.base + "/")
        Select(browser.find_element(By.ID, "filter-state")).select_by_value("accepted")
        wait(browser).until(lambda d: "gui=accepted" in d.current_url)
        rows = browser.find_elements(By.CSS_SELECTOR, "#units tbody tr[data-state]")
        assert [r.get_attribute("data-state") for r in rows] == ["accepted"]
        assert SUBMISSION_STATE_LABELS["accepted"] in rows[0].text
        assert in_view(browser, "ket-qua"), (size, where(browser, "ket-qua"))
        browser.get(live.base + "/")
        Select(browser.find_element(By.ID, "filter-status")).select_by_value("missing")
        wait(browser).until(lambda d: "trang_thai=missing" in d.current_url)
        assert in_view(browser, "units"), (size, where(browser, "units"))
    # Two more units through the workflow (by the service, as the CLI would), for the picture.
    others = [r.code for r in svc.queries.overview().units if r.status == "on_time"][:2]
    for other in others:
        svc.confirm_submission(other, name="Lê Văn Ký", position="Bí thư Chi bộ", doc_number="12-BC/CB", doc_date="10/04/2026")
    svc.return_submission(others[1], by=STAFF_EMAIL, comments=[ReviewComment(text="Đề nghị bổ sung số liệu dòng 5.")])
    viewport(browser, DESKTOP)
    browser.get(live.base + "/?sap_xep=gui")
    shown = [r.get_attribute("data-state") for r in browser.find_elements(By.CSS_SELECTOR, "#units tbody tr[data-state]")]
    assert shown[:2] == ["returned", "submitted"]  # sorted by the workflow state: what needs staff first
    assert browser.save_screenshot(str(shots / "dashboard-states.png"))
