"""The submission workflow on the web (issue 18), through Flask's test client: a unit uploads,
confirms its report with a number and a signed PDF; staff see it (signer, SHA-256) and return it
with a located comment; the unit sees the comment at the top of its page, fixes, confirms
again; staff see what changed since the returned version and accept. The unit page says an
upload's errors at the top and whether a file was taken; the dashboard and unit pages use the
workflow's words."""

from __future__ import annotations

import hashlib
import html
import io
import re

from sonket_gsync.forms.submission import SUBMISSION_STATE_LABELS
from tests.web.fixtures import STAFF_EMAIL, filled_workbook
from tests.web.pdfs import signed_pdf
from tests.webhooks.test_web_units import reopen, unit_client, upload


def send_workbook(web, client, token, workbook: bytes) -> dict:
    """Upload, confirm the upload, run the job: the unit's job JSON."""
    page = upload(client, token, workbook).get_data(as_text=True)
    upload_id = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    answer = client.post(f"/u/{token}/xac-nhan", data={"csrf_token": client.csrf, "upload": upload_id})
    job_id = re.search(r"/viec/(\d+)", answer.get_data(as_text=True)).group(1)
    assert web.run_jobs() == 1
    return client.get(f"/u/{token}/viec/{job_id}").get_json()


def confirm(client, token, *, number: str, pdf: bytes | None = None, day: str = "15/04/2026"):
    data = {"csrf_token": client.csrf, "ho_ten": "Trần Thị Bí Thư", "chuc_vu": "Bí thư Đảng ủy", "so_ky_hieu": number, "ngay": day}
    if pdf is not None:
        data["ban_ky"] = (io.BytesIO(pdf), "bao-cao-da-ky.pdf")
    return client.post(f"/u/{token}/xac-nhan-bao-cao", data=data, content_type="multipart/form-data")


def text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_confirm_return_with_a_located_comment_fix_reconfirm_and_accept(web, staff, tmp_path):
    code = web.unit_with("missing")
    reopen(web, code)
    client, token = unit_client(web, code)
    result = send_workbook(web, client, token, filled_workbook(web, code, tmp_path))
    assert result["accepted"] and "Đã nhận tệp" in result["result"]  # not only "Xong"
    page = client.get(f"/u/{token}").get_data(as_text=True)
    assert f">{SUBMISSION_STATE_LABELS['entering']}<" in page and 'id="confirm-report"' in page

    # The unit confirms with its document number and a digitally signed PDF.
    pdf = signed_pdf(tmp_path / "pdf", "Trần Thị Bí Thư")
    answer = confirm(client, token, number="25-BC/ĐU", pdf=pdf)
    assert answer.status_code == 303, text(answer.get_data(as_text=True))[-600:]
    page = client.get(f"/u/{token}").get_data(as_text=True)
    assert f'id="state">{SUBMISSION_STATE_LABELS["submitted"]}<' in page
    assert "25-BC/ĐU" in page and "bao-cao-da-ky.pdf" in page and 'id="confirm-report"' not in page

    # Staff see the confirmation, the PDF's hash and signer, and can download it.
    unit_page = staff.get(f"/don-vi/{code}").get_data(as_text=True)
    assert hashlib.sha256(pdf).hexdigest() in unit_page and "Ký số bởi: Trần Thị Bí Thư" in unit_page
    download = staff.get(f"/don-vi/{code}/ban-ky.pdf")
    assert download.status_code == 200 and download.data == pdf

    # Staff return it with one located comment and one general.
    unit = web.service.campaign.unit(code)
    form = web.service.campaign.forms_for(unit)[0]
    column = next(c for c in form.columns if not c.fixed)
    returned = staff.post(
        f"/don-vi/{code}/tra-lai",
        data={
            "csrf_token": staff.csrf,
            "bieu": [form.code, ""],
            "dong": ["7", ""],
            "cot": [column.header, ""],
            "muc": ["", ""],
            "noi_dung": ["Số liệu dòng này chưa khớp với báo cáo năm trước.", "Đề nghị bổ sung số, ký hiệu đúng thể thức."],
        },
    )
    assert returned.status_code == 303
    assert web.service.queries.submission(code).state == "returned"

    # The unit sees the comments at the top of its page, each with its place.
    page = client.get(f"/u/{token}").get_data(as_text=True)
    comments = page.index('id="comments"')
    assert comments < page.index('id="saved-problems"') and comments < page.index('id="history"')
    said = text(page[comments : page.index("</section>", comments)])
    assert f"Biểu '{form.sheet}', dòng 7, cột '{column.header}'" in said and "chưa khớp" in said
    assert "Góp ý chung" in said and "Đề nghị bổ sung" in said
    history = text(page[page.index('id="history"') :])
    assert "Trả lại" in history and "Đơn vị xác nhận gửi" in history

    # The unit fixes its workbook, sends it and confirms again (no PDF this time).
    result = send_workbook(web, client, token, filled_workbook(web, code, tmp_path, seed=42))
    assert result["accepted"]
    assert confirm(client, token, number="26-BC/ĐU").status_code == 303

    # Staff see what changed since the returned version, then accept.
    unit_page = staff.get(f"/don-vi/{code}").get_data(as_text=True)
    link = html.unescape(re.search(r'id="diff-since-returned" href="([^"]+)"', unit_page).group(1))
    info = web.service.queries.submission(code)
    assert f"a={info.returned_version_id}" in link and f"b={info.version_id}" in link
    diff = staff.get(link).get_data(as_text=True)
    assert '<td class="old">' in diff and "(mới nhất)" in diff
    assert staff.post(f"/don-vi/{code}/tiep-nhan", data={"csrf_token": staff.csrf}).status_code == 303
    assert web.service.queries.submission(code).state == "accepted"

    # The same word on the dashboard, the unit page and in its history (who, when, what).
    dashboard = staff.get(f"/?tim={code}").get_data(as_text=True)
    assert 'data-state="accepted"' in dashboard and SUBMISSION_STATE_LABELS["accepted"] in dashboard
    page = client.get(f"/u/{token}").get_data(as_text=True)
    assert f'id="state">{SUBMISSION_STATE_LABELS["accepted"]}<' in page
    history = text(page[page.index('id="history"') :])
    assert history.count("Đơn vị xác nhận gửi") == 2 and "Tiếp nhận" in history and STAFF_EMAIL in history


def test_a_confirmation_with_a_bad_date_says_why_and_keeps_what_was_typed(web, tmp_path):
    code = web.unit_with("missing")
    reopen(web, code)
    client, token = unit_client(web, code)
    send_workbook(web, client, token, filled_workbook(web, code, tmp_path))
    answer = confirm(client, token, number="25-BC/ĐU", day="31/02/2026")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="confirm-error"' in page and "dd/mm/yyyy" in page
    assert 'value="25-BC/ĐU"' in page
    assert web.service.queries.submission(code).state == "entering"


def test_staff_cannot_return_without_a_comment(web, staff):
    code = web.unit_with("on_time")
    answer = staff.post(f"/don-vi/{code}/tra-lai", data={"csrf_token": staff.csrf, "noi_dung": [""], "bieu": [""], "dong": [""], "cot": [""], "muc": [""]})
    assert answer.status_code == 303
    assert "ít nhất một góp ý" in staff.get(f"/don-vi/{code}").get_data(as_text=True)


def test_an_upload_with_errors_says_so_at_the_top_in_red(web, tmp_path):
    code = web.unit_with("missing")
    reopen(web, code)
    client, token = unit_client(web, code)
    page = upload(client, token, filled_workbook(web, code, tmp_path, spoil=True)).get_data(as_text=True)
    verdict = re.search(r'<p class="(\w+)" id="upload-verdict">(.*?)</p>', page, re.S)
    assert verdict and verdict.group(1) == "error" and "lỗi" in verdict.group(2)
    assert page.index('id="upload-result"') < page.index('id="saved-problems"')
    top = page[page.index('id="upload-result"') : page.index('id="saved-problems"')]
    assert "Không có lỗi" not in top


def test_the_unit_downloads_its_own_report(web):
    code = web.unit_with("on_time")
    client, token = unit_client(web, code)
    report = client.get(f"/u/{token}/bao-cao-don-vi.docx")
    assert report.status_code == 200 and report.data[:2] == b"PK" and code in report.headers["Content-Disposition"]


def test_compile_job_reports_its_steps_and_what_it_made(web, staff):
    job = staff.post("/bien-soan", headers={"X-CSRFToken": staff.csrf, "Accept": "application/json"}).get_json()
    assert web.run_jobs() == 1
    done = staff.get(f"/api/viec/{job['id']}").get_json()
    assert done["state"] == "done" and "Đã soạn dự thảo" in done["result"]
    labels = {link["label"]: link["url"] for link in done["links"]}
    assert {"Dự thảo báo cáo", "Bảng tổng hợp"} <= set(labels)
    assert all("?luc=" in url for url in labels.values())
