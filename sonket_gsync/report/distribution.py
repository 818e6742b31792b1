"""The distribution list: a printable .docx giving every unit its links and QR codes.

Backend-agnostic: it only needs each unit's ``UnitFiles`` (links from whichever backend
provisioned them). One table, one row per unit: the unit, the link to its spreadsheet and a
QR code of it, the link to its narrative document and a QR code of it. Landscape A4, the
header row repeated on every page.
"""

from __future__ import annotations

import io
from datetime import datetime

import qrcode
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from sonket_gsync.backends.base import UnitFiles
from sonket_gsync.campaign.model import Campaign, Unit
from sonket_gsync.core.text import TZ, format_date, format_datetime

HEADERS = (
    "Stt",
    "Đơn vị",
    "Đường dẫn biểu mẫu số liệu (bảng tính)",
    "Mã QR biểu mẫu",
    "Đường dẫn báo cáo thuyết minh (văn bản)",
    "Mã QR báo cáo",
)
WIDTHS_CM = (1.2, 5.5, 6.2, 3.2, 6.2, 3.2)
QR_CM = 2.8
NO_DOC = "(Đơn vị không phải viết báo cáo thuyết minh)"


def qr_png(url: str) -> bytes:
    """A PNG QR code of ``url`` (error correction M, 4-module quiet zone)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


PAGE_HEADERS = ("Stt", "Đơn vị", "Đường dẫn trang của đơn vị", "Mã QR")
PAGE_WIDTHS_CM = (1.2, 8.0, 12.0, 4.0)


def distribution_docx(
    campaign: Campaign,
    rows: list[tuple[Unit, UnitFiles]],
    *,
    now: datetime | None = None,
    page_urls: dict[str, str] | None = None,
) -> bytes:
    """The printable list of links and QR codes, one row per unit, in the given order.

    With ``page_urls`` (the web service's public address is set), each unit gets one link
    and QR code: its own page, which shows its status and problems and leads to its files."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("DANH SÁCH ĐƯỜNG DẪN BIỂU MẪU VÀ BÁO CÁO CỦA CÁC ĐƠN VỊ")
    run.bold = True
    run.font.size = Pt(14)
    subtitle = doc.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run(campaign.name).bold = True
    online = all(files.sheet_url.startswith("http") for _, files in rows)
    if page_urls is not None:
        doc.add_paragraph(
            f"Hạn gửi: {format_date(campaign.deadline)}. Mỗi đơn vị mở đường dẫn (hoặc quét mã QR bằng điện thoại) "
            "của mình: trang của đơn vị cho biết tình trạng gửi, các lỗi cần sửa, và dẫn tới biểu mẫu số liệu "
            "cùng báo cáo thuyết minh của đơn vị."
        )
        note = "Lưu ý: đường dẫn là riêng của từng đơn vị; chỉ gửi cho đúng đơn vị, không đăng công khai."
    elif online:
        doc.add_paragraph(
            f"Hạn gửi: {format_date(campaign.deadline)}. Mỗi đơn vị mở đường dẫn (hoặc quét mã QR bằng điện thoại) "
            "của mình để nhập số liệu vào biểu mẫu và viết báo cáo thuyết minh ngay trên trình duyệt. "
            "Không cần tải tệp về, không gửi lại qua email: nội dung được lưu tự động."
        )
        if campaign.sharing == "writers":
            note = f"Lưu ý: tệp chỉ mở được bằng tài khoản Google có email đã đăng ký cho đơn vị; nếu không mở được, hãy liên hệ {campaign.compiled_by}."
        else:
            note = "Lưu ý: ai có đường dẫn đều sửa được tệp; chỉ gửi đường dẫn cho đúng đơn vị, không đăng công khai."
    else:  # the local workspace: files in a shared folder, opened with Excel and Word
        doc.add_paragraph(
            f"Hạn gửi: {format_date(campaign.deadline)}. Mỗi đơn vị mở tệp của mình trong thư mục dùng chung, "
            "nhập số liệu vào biểu mẫu (Excel) và viết báo cáo thuyết minh (Word), rồi lưu lại đúng chỗ cũ."
        )
        note = "Lưu ý: giữ nguyên tên tệp và định dạng (.xlsx, .docx); không đổi tên các trang tính."
    doc.add_paragraph(note)

    if page_urls is not None:
        _page_table(doc, rows, page_urls)
        return _finish(doc, rows, now)
    table = _table(doc, HEADERS)
    for number, (unit, files) in enumerate(rows, start=1):
        cells = _unit_row(table, number, unit)
        _link_cell(cells[2], cells[3], files.sheet_url, "")
        _link_cell(cells[4], cells[5], files.doc_url, NO_DOC if not campaign.has_narrative(unit) else "(chưa tạo)")
    _widths(table, WIDTHS_CM)
    return _finish(doc, rows, now)


def _page_table(doc, rows: list[tuple[Unit, UnitFiles]], page_urls: dict[str, str]) -> None:
    table = _table(doc, PAGE_HEADERS)
    for number, (unit, _files) in enumerate(rows, start=1):
        cells = _unit_row(table, number, unit)
        _link_cell(cells[2], cells[3], page_urls.get(unit.code, ""), "")
    _widths(table, PAGE_WIDTHS_CM)


def _table(doc, headers):
    """A bordered table, centred, whose bold header row repeats on every printed page."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, text in zip(header.cells, headers, strict=False):
        cell.text = ""
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).bold = True
    return table


def _unit_row(table, number: int, unit: Unit):
    cells = table.add_row().cells
    cells[0].text = str(number)
    cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    cells[1].text = unit.name
    return cells


def _widths(table, widths_cm) -> None:
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def _finish(doc, rows, now: datetime | None) -> bytes:
    stamp = format_datetime(now or datetime.now(TZ))
    doc.add_paragraph(f"Lập lúc {stamp} — {len(rows)} đơn vị.")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _link_cell(link_cell, qr_cell, url: str, absent: str) -> None:
    link_cell.text = ""
    qr_cell.text = ""
    if not url:
        link_cell.paragraphs[0].add_run(absent or "(chưa tạo)").italic = True
        return
    _add_hyperlink(link_cell.paragraphs[0], url)
    paragraph = qr_cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run().add_picture(io.BytesIO(qr_png(url)), width=Cm(QR_CM))


def _add_hyperlink(paragraph, url: str) -> None:
    """A clickable external link showing the URL itself (printed, it can still be typed)."""
    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), str(RGBColor(0x05, 0x63, 0xC1)))
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "18")  # 9 pt: long links wrap less
    props.extend([color, underline, size])
    text = OxmlElement("w:t")
    text.text = url
    text.set(qn("xml:space"), "preserve")
    run.extend([props, text])
    link.append(run)
    paragraph._p.append(link)


def _repeat_as_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)
