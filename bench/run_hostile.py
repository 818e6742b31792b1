"""Benchmark: a full sync of a synthetic campaign (1,500 units by default) with one zip-bomb
unit among them, as the real CLI command, in its own process.

    python bench/run_hostile.py                # 1,500 units
    python bench/run_hostile.py --units 150

The bomb is the issue's: a unit's .xlsx whose worksheet XML unpacks to 1.15 GB (a few MB on
disk), plus, for a second unit, a .docx whose document.xml unpacks to 1 GB. Measured:

- the bombs alone, in process: the time to read and refuse each one (target < 1 s) and the
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

from run import fill, make_campaign, run  # noqa: E402  (bench/run.py: the same synthetic campaign)

from sonket_gsync.backends.local import LocalWorkspace  # noqa: E402
from sonket_gsync.config import load_campaign  # noqa: E402
from sonket_gsync.errors import UnitFileError  # noqa: E402
from sonket_gsync.parse import parse_snapshot  # noqa: E402

XLSX_BOMB_BYTES = 1_150 * 1024 * 1024  # the 1.15 GB sheet XML
DOCX_BOMB_BYTES = 1_000 * 1024 * 1024


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
        setup = time.perf_counter() - started
        on_disk = {path: path.stat().st_size for path in (xlsx, docx)}
        declared = {}
        for path in (xlsx, docx):
            with zipfile.ZipFile(path) as z:
                declared[path] = sum(i.file_size for i in z.infolist())

        xlsx_seconds, xlsx_message = refuse_in_process(campaign_dir, data_dir / "workspace", xlsx_unit.code)
        docx_seconds, docx_message = refuse_in_process(campaign_dir, data_dir / "workspace", docx_unit.code)
        in_process_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        base = ["--config", str(campaign_dir), "--data", str(data_dir)]
        bomb_wall, bomb_rss, bomb_out = run([*base, "sync", "--full"], env)
        _, _, status_out = run([*base, "status", "--unit", xlsx_unit.code], env)
        compile_wall, compile_rss, _ = run([*base, "compile"], env)
        xlsx.write_bytes(real_xlsx)
        docx.write_bytes(real_docx)
        clean_wall, clean_rss, _ = run([*base, "sync", "--full"], env)
        flagged = "bom nén" in status_out
        return {
            "units": f"{size:,}",
            "setup (not timed)": f"{setup:.0f} s",
            "bombs (on disk → unpacked)": " and ".join(
                f"{p.suffix} {on_disk[p] / 1024 / 1024:.1f} MB → {declared[p] / 1024**3:.2f} GB" for p in (xlsx, docx)
            ),
            "refuse .xlsx bomb (in process)": f"{xlsx_seconds * 1000:.0f} ms",
            "refuse .docx bomb (in process)": f"{docx_seconds * 1000:.0f} ms",
            "peak RSS after both (in process)": f"{in_process_rss:.0f} MB",
            "sync --full with bombs (CLI)": f"{bomb_wall:.1f} s, {bomb_rss:.0f} MB",
            "sync --full without (CLI)": f"{clean_wall:.1f} s, {clean_rss:.0f} MB",
            "compile after (CLI)": f"{compile_wall:.1f} s, {compile_rss:.0f} MB",
            "bomb unit flagged in status": "yes" if flagged else "NO",
            "_messages": f"{xlsx_message}\n\n{docx_message}\n\nsync output:\n{bomb_out}",
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
        + "What the units are told:\n\n```\n" + messages + "\n```\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
