"""`sonket-gsync submissions` and `sonket-gsync submission confirm|accept|return|attach|show`,
run in-process with click's CliRunner on a real local workspace and SQLite store."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from sonket_gsync.app.service import CampaignService
from sonket_gsync.cli.main import cli
from sonket_gsync.core.settings import Settings
from tests.forms.test_signed_pdf import signed_pdf
from tests.units import type_answers

UNITS = ("X_XUAN_LOC", "SO_NV")


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A data folder where two units were provisioned and X_XUAN_LOC typed its answers."""
    for name in [k for k in os.environ if k.startswith("SONKET_")]:
        monkeypatch.delenv(name)
    folder = tmp_path / "data"
    service = CampaignService.open(Settings.from_env({}, data_dir=folder))
    try:
        service.provision(UNITS)
        type_answers(service, "X_XUAN_LOC")
        service.sync(only=UNITS)
    finally:
        service.close()
    return folder


def run(data, *args):
    result = CliRunner().invoke(cli, ["--data", str(data), *args], catch_exceptions=False)
    return result


def test_confirm_then_list_then_return_with_located_comments_then_show(data, tmp_path):
    listed = run(data, "submissions")
    assert listed.exit_code == 0, listed.output
    line = next(x for x in listed.output.splitlines() if x.startswith("X_XUAN_LOC"))
    assert "Đang nhập" in line and "Chưa gửi" in next(x for x in listed.output.splitlines() if x.startswith("SO_NV"))

    pdf = tmp_path / "bao-cao-da-ky.pdf"
    pdf.write_bytes(signed_pdf(tmp_path))
    clerk = ["--name", "Nguyễn Văn An", "--position", "Bí thư", "--so", "12-BC/ĐU", "--ngay", "15/04/2026", "--pdf", str(pdf)]
    confirmed = run(data, "submission", "confirm", "x_xuan_loc", *clerk)
    assert confirmed.exit_code == 0, confirmed.output
    assert "Đã xác nhận gửi" in confirmed.output and "số 12-BC/ĐU ngày 15/04/2026" in confirmed.output
    assert "ký số: Nguyễn Văn An" in confirmed.output

    line = next(x for x in run(data, "submissions", "--state", "submitted").output.splitlines() if x.startswith("X_XUAN_LOC"))
    assert "Đã gửi" in line and "Nguyễn Văn An (Bí thư)" in line and "12-BC/ĐU" in line and ("Đúng hạn" in line or "Trễ hạn" in line)

    comments = tmp_path / "gop-y.txt"
    comments.write_text("# góp ý của Ban\nmuc:II.1 | Bổ sung kết quả nổi bật\n\nGhi rõ nơi nhận\n", encoding="utf-8")
    returned = run(
        data, "submission", "return", "X_XUAN_LOC", "--by", "canbo@tinhuy.example",
        "--comment", "Số đảng viên chưa khớp", "--at", "PL02:7:members_count", "--comments-file", str(comments),
    )  # fmt: skip
    assert returned.exit_code == 0, returned.output
    assert "với 3 góp ý" in returned.output and "Trả lại" in returned.output
    assert "[Biểu 'PL02 Đảng ủy', dòng 7, cột '" in returned.output and "[Mục II.1]: Bổ sung kết quả nổi bật" in returned.output
    assert "- Góp ý: Ghi rõ nơi nhận" in returned.output

    shown = run(data, "submission", "show", "X_XUAN_LOC")
    assert shown.exit_code == 0 and "Lịch sử:" in shown.output
    assert "Đơn vị xác nhận gửi" in shown.output and "Trả lại (canbo@tinhuy.example): 3 góp ý" in shown.output


def test_illegal_moves_and_bad_input_are_messages_with_exit_code_2(data, tmp_path):
    early = run(data, "submission", "accept", "X_XUAN_LOC")
    assert early.exit_code == 2 and "Lỗi: Chưa thể tiếp nhận" in early.output and "Cách khắc phục" in early.output
    nothing = run(data, "submission", "confirm", "SO_NV", "--name", "A", "--position", "B")
    assert nothing.exit_code == 2 and "chưa có số liệu hợp lệ" in nothing.output
    not_pdf = tmp_path / "bao-cao.pdf"
    not_pdf.write_bytes(b"PK\x03\x04 word")
    refused = run(data, "submission", "confirm", "X_XUAN_LOC", "--name", "A", "--position", "B", "--pdf", str(not_pdf))
    assert refused.exit_code == 2 and "không phải tệp PDF" in refused.output
    orphan = run(data, "submission", "return", "X_XUAN_LOC", "--at", "PL02:7")
    assert orphan.exit_code == 2 and "--at" in orphan.output
    unknown = run(data, "submission", "accept", "KHONG_CO")
    assert unknown.exit_code == 2 and "KHONG_CO" in unknown.output


def test_accept_after_confirm(data):
    assert run(data, "submission", "confirm", "X_XUAN_LOC", "--name", "Trần Thị Bình", "--position", "Phó Bí thư").exit_code == 0
    accepted = run(data, "submission", "accept", "X_XUAN_LOC", "--by", "canbo", "--note", "Đủ hồ sơ")
    assert accepted.exit_code == 0 and "Đã tiếp nhận" in accepted.output
    listed = run(data, "submissions").output
    assert "Đã tiếp nhận: 1" in listed and "Chưa gửi: 1" in listed
