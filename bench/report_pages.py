"""Page counts of a draft report, part by part, as LibreOffice prints it (A4; Liberation
Serif stands in for Times New Roman with the same metrics), and of any other .docx given (the
companion document "Tổng hợp ý kiến các đơn vị"); optionally the PNGs of the draft's page 1
and of its first appendix page for the README.

    python bench/report_pages.py data/workspace/ket-qua/bao-cao-so-ket-du-thao.docx \
        data/workspace/ket-qua/tong-hop-y-kien-cac-don-vi.docx [--png docs/]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SOFFICE = next((p for p in (Path("/usr/bin/soffice"), Path("/usr/lib/libreoffice/program/soffice")) if p.is_file()), Path("/usr/bin/soffice"))
PDFTOTEXT = Path("/usr/bin/pdftotext")
PDFTOPPM = Path("/usr/bin/pdftoppm")


def to_pdf(docx: Path, folder: Path) -> Path:
    subprocess.run(
        [str(SOFFICE), "--headless", f"-env:UserInstallation=file://{folder}/lo", "--convert-to", "pdf", "--outdir", str(folder), str(docx)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return folder / (docx.stem + ".pdf")


def parts(pdf: Path) -> list[tuple[str, int, int]]:
    """(part, first page, last page): the body, then each "PHỤ LỤC nn"."""
    pages = subprocess.run([str(PDFTOTEXT), "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()] or [""]
    starts = [("Thân báo cáo", 1)]
    for number, text in enumerate(pages, start=1):
        head = "\n".join(text.strip().splitlines()[:3])
        found = re.search(r"PHỤ LỤC \d+", head)
        if found and found.group() not in [name for name, _ in starts]:
            starts.append((found.group(), number))
    out = []
    for index, (name, first) in enumerate(starts):
        last = starts[index + 1][1] - 1 if index + 1 < len(starts) else len(pages)
        out.append((name, first, last))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docx", type=Path, nargs="+", help="the draft first, then any other document")
    parser.add_argument("--png", type=Path, help="write the draft's page 1 and first appendix page here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for index, path in enumerate(args.docx):
            folder = Path(tmp) / str(index)
            folder.mkdir()
            pdf = to_pdf(path.resolve(), folder)
            found = parts(pdf)
            total = found[-1][2]
            print(f"{path.name}: {total} trang: " + "; ".join(f"{name} {last - first + 1} (tr. {first}–{last})" for name, first, last in found))
            if args.png and index == 0:
                args.png.mkdir(parents=True, exist_ok=True)
                appendix = found[1][1] if len(found) > 1 else 1
                for page, name in ((1, "du-thao-trang-1"), (appendix, "du-thao-phu-luc-01")):
                    subprocess.run(
                        [str(PDFTOPPM), "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(args.png / name)], check=True
                    )


if __name__ == "__main__":
    sys.exit(main())
