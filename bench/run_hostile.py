"""Benchmark: a full sync of a synthetic campaign (1,500 units by default) with one zip-bomb
unit among them, as the real CLI command, in its own process.

    python bench/run_hostile.py                # 1,500 units
    python bench/run_hostile.py --units 150

The bomb is the issue's: a unit's .xlsx whose worksheet XML unpacks to 1.15 GB (a few MB on
disk), plus, for a second unit, a .docx whose document.xml unpacks to 1 GB; and two units
whose document list holds too many valid rows: 1,000,000 (refused by its unpacked size) and
150,000 (under the unpacked limit: refused by the row limit while reading). Measured:

- the hostile files alone, in process: the time to read and refuse each one (target < 1 s) and the
  process's peak memory after doing so;
- ``sync --full`` of every unit with the bombs in place (target: the run stays < 500 MB),
  wall time and peak RSS (``os.wait4``), and the same sync with the bombs replaced by the
  units' real files, so the difference is what the bombs cost;
- ``compile`` afterwards (the campaign goes on).

Setup (provisioning, filling, building the bombs) is not timed. Results go to stdout and to
bench/results-hostile.md.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import csv  # noqa: E402

from run import fill, run  # noqa: E402  (bench/run.py: the same synthetic campaign)
from run import make_campaign as _make_campaign  # noqa: E402

from sonket_gsync.backends.local import LocalWorkspace  # noqa: E402
from sonket_gsync.campaign.load import load_campaign  # noqa: E402
from sonket_gsync.core.errors import UnitFileError  # noqa: E402
from sonket_gsync.ingest.parse import parse_snapshot  # noqa: E402

XLSX_BOMB_BYTES = 1_150 * 1024 * 1024  # the 1.15 GB sheet XML
DOCX_BOMB_BYTES = 1_000 * 1024 * 1024


def make_campaign(folder: Path, size: int) -> Path:
    """bench/run.py's campaign of ``size`` units (the real ones, cycled), with the copies'
    emails left blank: the campaign check refuses one email on two units."""
    _make_campaign(folder, size)
    path = folder / "units.csv"
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    seen: set[str] = set()
    for row in rows:
        emails = row.get("emails", "")
        if emails and emails in seen:
            row["emails"] = ""
        seen.add(emails)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


def bomb(package: bytes, part: str, size: int) -> bytes:
    """``package`` with ``part`` replaced by ``size`` bytes of repeated rows, deflated as a
    stream (about 1000:1). The zip headers are honest: the check needs no liar to catch it."""
    out = io.BytesIO()
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    chunk = row * (4 * 1024 * 1024 // len(row))
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info, src.read(info.filename))
                continue
            member = zipfile.ZipInfo(part)
            member.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(member, "w", force_zip64=True) as stream:
                written = 0
                while written < size:
                    piece = chunk[: size - written]
                    stream.write(piece)
                    written += len(piece)
    return out.getvalue()


def many_rows(package: bytes, part: str, count: int) -> bytes:
    """``package`` with ``count`` valid document rows appended to the tab ``part`` (the
    issue's "1,000,000 valid rows" file), written as a stream."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename != part:
                dst.writestr(info, body)
                continue
            head, tail = body.split(b"</sheetData>", 1)
            member = zipfile.ZipInfo(part)
            member.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(member, "w", force_zip64=True) as stream:
                stream.write(head)
                for start in range(100, 100 + count, 10_000):
                    stream.write(
                        "".join(
                            f'<row r="{r}"><c r="A{r}"><v>{r - 99}</v></c>'
                            f'<c r="B{r}" t="inlineStr"><is><t>Ủy ban nhân dân tỉnh</t></is></c>'
                            f'<c r="C{r}" t="inlineStr"><is><t>{r}/QĐ-UBND</t></is></c><c r="D{r}"><v>{45387 + r % 300}</v></c>'
                            f'<c r="E{r}" t="inlineStr"><is><t>Kế hoạch thực hiện Nghị quyết số 45-NQ/TW, đợt {r}</t></is></c></row>'
                            for r in range(start, min(start + 10_000, 100 + count))
                        ).encode()
                    )
                stream.write(b"</sheetData>" + tail)
    return out.getvalue()


def refuse_in_process(campaign_dir: Path, workspace_dir: Path, code: str) -> tuple[float, str]:
    """Seconds to read ``code`` and have it refused, and the message."""
    campaign = load_campaign(campaign_dir)
    workspace = LocalWorkspace(workspace_dir, campaign)
    unit = campaign.unit(code)
    started = time.perf_counter()
    try:
        parse_snapshot(campaign, unit, workspace.read_unit(unit), workspace.limits)
    except UnitFileError as exc:
        return time.perf_counter() - started, exc.message
    raise SystemExit(f"the bomb of {code} was not refused")


def bench(size: int, workers: int) -> dict[str, str]:
    tmp = Path(tempfile.mkdtemp(prefix=f"sonket-hostile-{size}-"))
    try:
        campaign_dir = make_campaign(tmp / "campaign", size)
        data_dir = tmp / "data"
        started = time.perf_counter()
        fill(campaign_dir, data_dir, workers)
        campaign = load_campaign(campaign_dir)
        workspace = LocalWorkspace(data_dir / "workspace", campaign)
        with_docx = [u for u in campaign.units if campaign.has_narrative(u)]
        xlsx_unit, docx_unit = with_docx[len(with_docx) // 2], with_docx[len(with_docx) // 3]
        xlsx, docx = workspace.xlsx_path(xlsx_unit), workspace.docx_path(docx_unit)
        real_xlsx, real_docx = xlsx.read_bytes(), docx.read_bytes()
        xlsx.write_bytes(bomb(real_xlsx, "xl/worksheets/sheet1.xml", XLSX_BOMB_BYTES))
        docx.write_bytes(bomb(real_docx, "word/document.xml", DOCX_BOMB_BYTES))
        # two units with too many valid rows: a million (caught by the unpacked size) and
        # 150,000 (small enough to pass it: caught by the row limit while reading)
        plain = [u for u in campaign.units if u not in (xlsx_unit, docx_unit)]
        million_unit, rows_unit = plain[len(plain) // 4], plain[len(plain) // 5]
        million, rows = workspace.xlsx_path(million_unit), workspace.xlsx_path(rows_unit)
        real_million, real_rows = million.read_bytes(), rows.read_bytes()
        million.write_bytes(many_rows(real_million, "xl/worksheets/sheet1.xml", 1_000_000))
        rows.write_bytes(many_rows(real_rows, "xl/worksheets/sheet1.xml", 150_000))
        setup = time.perf_counter() - started
        on_disk = {path: path.stat().st_size for path in (xlsx, docx, million, rows)}
        declared = {}
        for path in (xlsx, docx, million, rows):
            with zipfile.ZipFile(path) as z:
                declared[path] = sum(i.file_size for i in z.infolist())

        xlsx_seconds, xlsx_message = refuse_in_process(campaign_dir, data_dir / "workspace", xlsx_unit.code)
        docx_seconds, docx_message = refuse_in_process(campaign_dir, data_dir / "workspace", docx_unit.code)
        million_seconds, million_message = refuse_in_process(campaign_dir, data_dir / "workspace", million_unit.code)
        rows_seconds, rows_message = refuse_in_process(campaign_dir, data_dir / "workspace", rows_unit.code)
        in_process_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        base = ["--config", str(campaign_dir), "--data", str(data_dir)]
        bomb_wall, bomb_rss, bomb_out = run([*base, "sync", "--full"], env)
        _, _, status_out = run([*base, "status", "--unit", xlsx_unit.code], env)
        compile_wall, compile_rss, _ = run([*base, "compile"], env)
        xlsx.write_bytes(real_xlsx)
        docx.write_bytes(real_docx)
        million.write_bytes(real_million)
        rows.write_bytes(real_rows)
        clean_wall, clean_rss, _ = run([*base, "sync", "--full"], env)
        flagged = "bom nén" in status_out
        return {
            "units": f"{size:,}",
            "setup (not timed)": f"{setup:.0f} s",
            "hostile files (on disk → unpacked)": "; ".join(
                f"{label} {on_disk[p] / 1024 / 1024:.1f} MB → {declared[p] / 1024**2:,.0f} MB"
                for label, p in (("bomb .xlsx", xlsx), ("bomb .docx", docx), ("1,000,000 rows", million), ("150,000 rows", rows))
            ),
            "refused in (in process): bomb .xlsx / bomb .docx / 1M rows / 150k rows": " / ".join(
                f"{t * 1000:.1f} ms" for t in (xlsx_seconds, docx_seconds, million_seconds, rows_seconds)
            ),
            "peak RSS after all four (in process)": f"{in_process_rss:.0f} MB",
            "sync --full with them (CLI)": f"{bomb_wall:.1f} s, {bomb_rss:.0f} MB",
            "sync --full without (CLI)": f"{clean_wall:.1f} s, {clean_rss:.0f} MB",
            "compile after (CLI)": f"{compile_wall:.1f} s, {compile_rss:.0f} MB",
            "bomb unit flagged in status": "yes" if flagged else "NO",
            "_messages": "\n\n".join((xlsx_message, docx_message, million_message, rows_message, "sync output:\n" + bomb_out)),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="processes used for setup only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-hostile.md")
    args = parser.parse_args()
    row = bench(args.units, args.workers)
    messages = row.pop("_messages")
    for key, value in row.items():
        print(f"{key}: {value}", flush=True)
    lines = ["| " + " | ".join(row) + " |", "|" + "---|" * len(row), "| " + " | ".join(row.values()) + " |"]
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    args.out.write_text(
        f"Command: `python bench/run_hostile.py --units {args.units}` ({machine})\n\n"
        + "\n".join(lines)
        + "\n\nTargets (issue 7): a bomb costs under 1 s; the run stays under 500 MB.\n\n"
        + "What the units are told:\n\n```\n"
        + messages
        + "\n```\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
