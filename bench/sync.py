"""Benchmark of the local sync against the floor of reading the same files (issue 20).

On a synced campaign (built once by bench/compile.py's builder, or an existing one given with
``--dir``), runs ``sonket-gsync sync --full`` and ``sonket-gsync sync`` (nothing changed)
each in its own child process (CPU seconds user + system, wall time, peak RSS via
``os.wait4``), then reads the same unit files in this process with python-calamine (every
sheet's values) and zipfile + lxml (every paragraph of each .docx): the floor. Prints the
CPU per unit of each and the ratio of the full sync to the floor.

    .venv/bin/python bench/sync.py --dir /tmp/sonket-sync-1500               # build or reuse
    .venv/bin/python bench/sync.py --dir /tmp/sonket-sync-1500 --profile /tmp/sync.prof
    .venv/bin/python bench/sync.py --dir /tmp/sonket-sync-1500 --no-full --repeat 5  # no-change only (seconds, not a minute)
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


CONSOLE = "import sys; from sonket_gsync.cli import main; main(sys.argv[1:])"  # what the sonket-gsync script runs


def cli(campaign_dir: Path, data_dir: Path, *args: str) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one CLI command in its own process, started the way the
    ``sonket-gsync`` console script starts it (``python -m sonket_gsync.cli.main`` would run
    the CLI module twice: once as the package's import, once as ``__main__``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-c", CONSOLE, "--config", str(campaign_dir), "--data", str(data_dir), *args]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"command failed: {args}\n{out.decode('utf-8', 'replace')}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def unit_files(data_dir: Path) -> list[Path]:
    units = data_dir / "workspace" / "don-vi"
    return sorted(p for folder in sorted(units.iterdir()) for p in folder.iterdir() if p.suffix in (".xlsx", ".docx"))


def floor(files: list[Path]) -> float:
    """CPU seconds to read every sheet's values (calamine) and every paragraph (lxml)."""
    from lxml import etree
    from python_calamine import CalamineWorkbook

    started = time.process_time()
    cells = paragraphs = 0
    for path in files:
        if path.suffix == ".xlsx":
            wb = CalamineWorkbook.from_path(str(path))
            for name in wb.sheet_names:
                for row in wb.get_sheet_by_name(name).to_python():
                    cells += len(row)
        else:
            with zipfile.ZipFile(path) as package:
                root = etree.fromstring(package.read("word/document.xml"))
            for p in root.iter(f"{_W}p"):
                "".join(t.text or "" for t in p.iter(f"{_W}t"))
                paragraphs += 1
    assert cells and paragraphs
    return time.process_time() - started


def profile(campaign_dir: Path, data_dir: Path, path: Path) -> None:
    import cProfile
    import pstats

    from sonket_gsync.app.service import CampaignService
    from sonket_gsync.core.settings import Settings

    service = CampaignService.open(Settings.from_env({}, campaign_dir=campaign_dir, data_dir=data_dir))
    cProfile.runctx("service.sync(full=True)", globals(), {"service": service}, str(path))
    service.close()
    pstats.Stats(str(path)).sort_stats("tottime").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True, help="the campaign (campaign/ and data/), built once when absent")
    parser.add_argument("--units", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="processes used for setup only")
    parser.add_argument("--repeat", type=int, default=3, help="no-change syncs timed")
    parser.add_argument("--profile", type=Path, help="also profile one full sync in process (cProfile output file)")
    parser.add_argument("--no-full", action="store_true", help="skip the full sync and the floor: time only the no-change syncs")
    args = parser.parse_args()
    import compile as builder  # bench/compile.py

    campaign_dir, data_dir = builder.build(args.dir, args.units, args.workers)
    files = unit_files(data_dir)
    units = len({p.parent for p in files})
    if args.no_full:
        print(f"{units} units, {len(files)} files (no-change syncs only)")
        for wall, cpu, rss in (cli(campaign_dir, data_dir, "sync") for _ in range(args.repeat)):
            print(f"sync (none)   wall {wall:6.2f} s  CPU {cpu:6.2f} s  peak RSS {rss:.0f} MB")
        return
    full = cli(campaign_dir, data_dir, "sync", "--full")
    quiet = [cli(campaign_dir, data_dir, "sync") for _ in range(args.repeat)]
    floor(files[:50])  # warm the imports
    base = floor(files)
    per_unit = full[1] / units * 1000
    floor_unit = base / units * 1000
    print(f"{units} units, {len(files)} files, python-calamine + lxml floor in this process")
    print(f"sync --full   wall {full[0]:6.2f} s  CPU {full[1]:6.2f} s  ({per_unit:.2f} ms/unit)  peak RSS {full[2]:.0f} MB")
    for wall, cpu, rss in quiet:
        print(f"sync (none)   wall {wall:6.2f} s  CPU {cpu:6.2f} s  peak RSS {rss:.0f} MB")
    print(
        f"floor         CPU {base:6.2f} s  ({floor_unit:.2f} ms/unit)  this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print(f"ratio sync --full / floor: {per_unit / floor_unit:.1f}x (target <= 3x)")
    if args.profile:
        profile(campaign_dir, data_dir, args.profile)


if __name__ == "__main__":
    main()
