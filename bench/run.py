"""Benchmark of the local (embedded default) campaign: full sync, no-change sync and compile for
150 and 1,500 synthetic units, each measured as the real CLI command a user runs. Compile
includes the synthesis (statements grouped per outline item), the draft (.docx with its
appendices and annex) and the one aggregated .xlsx; its phases are also timed in process.

    python bench/run.py                 # 150 and 1,500 units
    python bench/run.py --units 150     # one size

Setup (provisioning and filling the units' files) is not timed. Each measured command runs
in its own process; wall time is from spawn to exit (Python start-up and imports included)
and peak memory is that process's max RSS (``os.wait4``). Results go to stdout and to
bench/results-local.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sonket_gsync.app.service import CampaignService  # noqa: E402
from sonket_gsync.backends.local import LocalWorkspace  # noqa: E402
from sonket_gsync.campaign.load import load_campaign  # noqa: E402
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN, Settings  # noqa: E402
from sonket_gsync.demo.synthetic import answers_for, assign_profiles, modified_time, spoil, to_blocks  # noqa: E402
from sonket_gsync.forms import narrative  # noqa: E402


def make_campaign(folder: Path, size: int) -> Path:
    """A copy of the real campaign with ``size`` units, cycling the real ones."""
    shutil.copytree(DEFAULT_CAMPAIGN, folder)
    with open(DEFAULT_CAMPAIGN / "units.csv", encoding="utf-8") as f:
        real = list(csv.DictReader(f))
    with open(folder / "units.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["code", "name", "group", "emails"])
        writer.writeheader()
        for i in range(size):
            base = real[i % len(real)]
            round_ = i // len(real)
            suffix = f"_{round_}" if round_ else ""
            emails = base["emails"].replace("@", f"-{round_}@") if round_ else base["emails"]  # each email once
            writer.writerow({**base, "code": base["code"] + suffix, "name": base["name"] + (f" ({round_})" if round_ else ""), "emails": emails})
    # the LHH-only indicator stays valid: its reporting unit keeps its code in round 0
    return folder


def _fill_chunk(args: tuple[str, str, list[str], int]) -> None:
    campaign_dir, workspace_dir, codes, seed = args
    campaign = load_campaign(campaign_dir)
    workspace = LocalWorkspace(Path(workspace_dir), campaign)
    profiles = assign_profiles(campaign, random.Random(seed))
    for code in codes:
        unit = campaign.unit(code)
        workspace.provision(unit)
        profile = profiles[code]
        if profile == "missing":
            continue
        rng = random.Random(code)
        answers = answers_for(campaign, unit, rng)
        if profile == "invalid":
            answers = spoil(campaign, unit, answers, rng)
        doc = narrative.docx_from_sections(campaign, unit, answers.narrative)
        workspace.write_unit(unit, to_blocks(campaign, unit, answers), doc, modified_time(profile, campaign, rng))


def fill(campaign_dir: Path, data_dir: Path, workers: int) -> None:
    campaign = load_campaign(campaign_dir)
    codes = [u.code for u in campaign.units]
    chunks = [codes[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_fill_chunk, [(str(campaign_dir), str(data_dir / "workspace"), c, 45) for c in chunks]))


CPU: dict[str, float] = {}  # CPU seconds (user + system) of the last command run, by its name


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, stdout of one CLI command in its own process (its CPU
    seconds go to CPU[command]: on a shared machine wall time mostly measures the others)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sonket_gsync.cli.main", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    CPU[args[-1] if not args[-1].startswith("-") else args[-2]] = usage.ru_utime + usage.ru_stime
    out = proc.stdout.read().decode("utf-8") if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"command failed: {args}\n{out}")
    return wall, usage.ru_maxrss / 1024, out.strip()


def no_change_in_process(campaign_dir: Path, data_dir: Path, repeat: int = 5) -> list[float]:
    """The sync call alone (campaign loaded, store open), as a long-running service pays it."""
    service = CampaignService.open(Settings.from_env({}, campaign_dir=campaign_dir, data_dir=data_dir))
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        report = service.sync()
        times.append(time.perf_counter() - started)
        assert report.changed == 0
    service.close()
    return times


def compile_phases(campaign_dir: Path, data_dir: Path) -> dict[str, str]:
    """The compile's phases in process: aggregate, synthesis + draft, tables; and sizes."""
    from datetime import datetime

    from sonket_gsync.analysis.aggregate import aggregate
    from sonket_gsync.report.draft import render_report, resolve_template
    from sonket_gsync.report.tables import summary_tabs, tables_workbook_bytes

    service = CampaignService.open(Settings.from_env({}, campaign_dir=campaign_dir, data_dir=data_dir))
    records = service.records()
    started = time.process_time()
    agg = aggregate(service.campaign, records)
    aggregated = time.process_time()
    draft = render_report(service.campaign, agg, resolve_template(service.campaign), compiled_at=datetime.now())
    drafted = time.process_time()
    tables = tables_workbook_bytes(summary_tabs(service.campaign, agg))
    done = time.process_time()
    statements = sum(len(v) for v in agg.narrative.values())
    service.close()
    return {
        "compile phases in process, CPU (aggregate / synthesis + draft / tables)": f"{aggregated - started:.1f} / {drafted - aggregated:.1f} / {done - drafted:.1f} s",
        "texts synthesised; draft, tables size": f"{statements:,}; {len(draft) / 1e6:.1f} MB, {len(tables) / 1e6:.1f} MB",
    }


def bench(size: int, workers: int) -> dict[str, str]:
    tmp = Path(tempfile.mkdtemp(prefix=f"sonket-bench-{size}-"))
    try:
        campaign_dir = make_campaign(tmp / "campaign", size)
        data_dir = tmp / "data"
        started = time.perf_counter()
        fill(campaign_dir, data_dir, workers)
        setup = time.perf_counter() - started
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        base = ["--config", str(campaign_dir), "--data", str(data_dir)]
        full_wall, full_rss, _full_out = run([*base, "sync", "--full"], env)
        full_cpu = CPU["sync"]
        nochange = [run([*base, "sync"], env) for _ in range(5)]
        in_process = no_change_in_process(campaign_dir, data_dir)
        compile_wall, compile_rss, _ = run([*base, "compile"], env)
        phases = compile_phases(campaign_dir, data_dir)
        return {
            "units": f"{size:,}",
            "setup (not timed)": f"{setup:.0f} s",
            "full sync (wall, CPU, peak RSS)": f"{full_wall:.1f} s, {full_cpu:.1f} s CPU, {full_rss:.0f} MB",
            "no-change sync (CLI, median of 5)": f"{statistics.median(w for w, _, _ in nochange):.2f} s",
            "no-change sync (in process, median of 5)": f"{statistics.median(in_process) * 1000:.1f} ms",
            "compile (CLI: synthesis, draft, tables; wall, CPU, peak RSS)": f"{compile_wall:.1f} s, {CPU['compile']:.1f} s CPU, {compile_rss:.0f} MB",
            **phases,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[150, 1500])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="processes used for setup only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-local.md")
    args = parser.parse_args()
    rows = []
    for size in args.units:
        row = bench(size, args.workers)
        print(row, flush=True)
        rows.append(row)
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r[h] for h in header) + " |" for r in rows]
    load = os.getloadavg()[0]
    machine = f"{os.cpu_count()} cores, load average {load:.1f} at the end, Python {sys.version.split()[0]}"
    args.out.write_text(f"Command: `python bench/run.py --units {' '.join(map(str, args.units))}` ({machine})\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
