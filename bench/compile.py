"""Benchmark of ``sonket-gsync compile`` alone at 1,500 units (issue 16: under 10 s and 500 MB).

Builds the campaign once (bench/run.py's synthetic units, filled and synced with the real
CLI), keeps it in ``--dir`` so later runs skip the setup, then times ``compile`` in a child
process: wall time from spawn to exit (start-up and imports included), CPU seconds (user +
system) and peak RSS (``os.wait4``). With ``--profile FILE`` the compile also runs once in
process under cProfile and the top functions by cumulative time are printed.

    .venv/bin/python bench/compile.py --dir /tmp/sonket-compile-1500            # build or reuse, time 3 runs
    .venv/bin/python bench/compile.py --dir /tmp/sonket-compile-1500 --profile /tmp/compile.prof
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run as setup  # noqa: E402  (bench/run.py: make_campaign, fill, run)


def build(folder: Path, size: int, workers: int) -> tuple[Path, Path]:
    """The campaign folder and data folder, built and synced once (reused when present)."""
    campaign_dir, data_dir = folder / "campaign", folder / "data"
    ready = folder / "READY"
    if ready.exists():
        return campaign_dir, data_dir
    if folder.exists():
        raise SystemExit(f"{folder} exists but was not built completely: remove it first")
    folder.mkdir(parents=True)
    started = time.perf_counter()
    setup.make_campaign(campaign_dir, size)
    setup.fill(campaign_dir, data_dir, workers)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    wall, rss, _ = setup.run(["--config", str(campaign_dir), "--data", str(data_dir), "sync", "--full"], env)
    ready.write_text(f"{size} units; setup {time.perf_counter() - started:.0f} s; full sync {wall:.1f} s, {rss:.0f} MB\n", encoding="utf-8")
    return campaign_dir, data_dir


def time_compile(campaign_dir: Path, data_dir: Path, repeat: int) -> list[tuple[float, float, float]]:
    """(wall s, CPU s, peak RSS MB) of each ``compile`` run in its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = []
    for _ in range(repeat):
        wall, rss, _ = setup.run(["--config", str(campaign_dir), "--data", str(data_dir), "compile"], env)
        out.append((wall, setup.CPU["compile"], rss))
    return out


def profile(campaign_dir: Path, data_dir: Path, path: Path) -> None:
    import cProfile
    import pstats

    from sonket_gsync.app.service import CampaignService
    from sonket_gsync.core.settings import Settings

    service = CampaignService.open(Settings.from_env({}, campaign_dir=campaign_dir, data_dir=data_dir))
    cProfile.runctx("service.compile()", globals(), {"service": service}, str(path))
    service.close()
    pstats.Stats(str(path)).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True, help="where the campaign is built once and kept")
    parser.add_argument("--units", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="processes used for setup only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="also profile one compile in process (cProfile output file)")
    args = parser.parse_args()
    campaign_dir, data_dir = build(args.dir, args.units, args.workers)
    print((args.dir / "READY").read_text(encoding="utf-8").strip(), flush=True)
    runs = time_compile(campaign_dir, data_dir, args.repeat)
    for wall, cpu, rss in runs:
        print(f"compile: {wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MB peak RSS", flush=True)
    print(
        f"median of {len(runs)}: {statistics.median(r[0] for r in runs):.1f} s wall, "
        f"{statistics.median(r[1] for r in runs):.1f} s CPU, max {max(r[2] for r in runs):.0f} MB "
        f"(load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)"
    )
    if args.profile:
        profile(campaign_dir, data_dir, args.profile)


if __name__ == "__main__":
    main()
