"""Benchmark of the Google backend against the fake Google server (tests/fake_google) with
realistic latency and Google's quotas: API calls, rate-limit refusals and wall time of
provisioning, a full sync, a sync with a few changed units and a sync with no change — the
issue-10 approach (Sheets read through the Drive .xlsx export on a pool of workers; units
copied from one template per group) next to today's approach (one values.batchGet per unit,
one at a time: measured in the same run with ``--baseline``, and its quota floor always).

    python bench/run_google.py                                  # 150 units, write mode, baseline
    nohup python bench/run_google.py --units 1500 --unit-cells title --no-baseline > bench/google-1500.log 2>&1 &

One process: the fake serves on 127.0.0.1 in a thread with ``--latency`` seconds added to every
call and server-side quotas of ``--quota`` Sheets reads and ``--quota`` Sheets writes per
minute and ``--drive-quota`` Drive calls per minute (sliding 60 s, real clock); the backend
runs with its real client-side limiters at the same rates, real clock and real sleeps, and
``--workers`` workers. Calls, statuses and 429s are counted from the fake's
request log. Before each measured step the script waits until the previous Sheets call is
60 s old (not timed), so every step starts with an empty quota window, as a sync started by
a timer would.

Not timed: filling the units' answers ("units typing": people type in the browser, which
costs the service account no quota, so the fake's quota is lifted for it and it runs in
threads) and the quota-window waits. The naive gspread read also runs with the fake's quota
lifted (gspread's default client does not retry 429); its quota floor is reported instead.
Results go to stdout and to bench/results-google.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shlex
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from run import make_campaign  # noqa: E402  (bench/run.py: the same synthetic campaign)

from sonket_gsync.app.service import CampaignService  # noqa: E402
from sonket_gsync.backends.google import GoogleWorkspace  # noqa: E402
from sonket_gsync.campaign.load import load_campaign  # noqa: E402
from sonket_gsync.campaign.model import Campaign  # noqa: E402
from sonket_gsync.core.settings import Settings  # noqa: E402
from sonket_gsync.demo.synthetic import answers_for, assign_profiles, modified_time, spoil, to_blocks  # noqa: E402
from sonket_gsync.forms import narrative  # noqa: E402
from sonket_gsync.forms.layout import workbook_layout  # noqa: E402
from sonket_gsync.ingest.sync import sync as run_sync  # noqa: E402
from sonket_gsync.store import Store  # noqa: E402
from tests.fake_google.fixtures import gspread_client  # noqa: E402
from tests.fake_google.remote import RemoteFake  # noqa: E402
from tests.fake_google.server import FakeGoogle  # noqa: E402

EDITED_UNITS = 5
TYPING_THREADS = 8


# --- measuring ---------------------------------------------------------------------------------


class Meter:
    """Counts the fake's request log between ``start`` and ``stop`` of one step."""

    def __init__(self, fake: FakeGoogle, quota: int, drain: bool = True) -> None:
        self.fake = fake
        self.quota = quota
        self.drain_windows = drain

    def drain(self) -> None:
        """Wait (untimed) until the last Sheets call is a full minute old: an empty quota window."""
        if not self.drain_windows:
            return
        ends = [r.ended or r.started for r in self.fake.requests if r.api == "sheets"]  # one copy
        if ends:
            pause = max(ends) + 60.5 - time.monotonic()
            if pause > 0:
                print(f"  (waiting {pause:.0f} s for the quota window to empty, not timed)", flush=True)
                time.sleep(pause)

    def start(self) -> None:
        self.fake.reset_log()
        self._t0 = time.perf_counter()

    def stop(self, step: str, note: str = "", lifted: bool = False, today: float | None = None) -> dict[str, str]:
        wall = time.perf_counter() - self._t0
        fake = self.fake
        drive, upload, sheets = fake.count(api="drive"), fake.count(api="upload"), fake.count(api="sheets")
        reads, writes = fake.count(api="sheets", method="GET"), sheets - fake.count(api="sheets", method="GET")
        # Sheets answers 429; Drive answers 403 userRateLimitExceeded
        log = fake.requests
        refused = fake.count(status=429) + sum(1 for r in log if r.status == 403 and r.api in ("drive", "upload") and "/export" not in r.path)
        by_method = Counter(r.method_id or f"{r.api} {r.method}" for r in log)
        floor = max(reads, writes) / self.quota * 60
        return {
            "step": step,
            "drive": str(drive),
            "upload": str(upload),
            "sheets (read / write)": f"{sheets} ({reads} / {writes})",
            "total calls": str(len(log)),
            "429s": str(refused),
            "wall": _seconds(wall),
            "quota floor": _seconds(floor) + (" (quota lifted)" if lifted else ""),
            "today's floor": "" if today is None else _seconds(today),
            "note": note,
            "_total": len(log),
            "_reads": reads,
            "_sheets": sheets,
            "_by_method": ", ".join(f"{m} {n}" for m, n in by_method.most_common()),
            "_wall": wall,
        }


def _seconds(s: float) -> str:
    return f"{s:.1f} s" if s < 120 else f"{s:.0f} s ({s / 60:.1f} min)"


# --- steps --------------------------------------------------------------------------------------


def unique_emails(campaign_dir: Path) -> None:
    """bench/run.py cycles the real units: give each copy its own emails (check-config
    refuses an email written for two units)."""
    path = campaign_dir / "units.csv"
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    seen: set[str] = set()
    for n, row in enumerate(rows):
        emails = []
        for email in [e.strip() for e in (row.get("emails") or "").replace(";", ",").split(",") if e.strip()]:
            if email.lower() in seen:
                local, _, domain = email.partition("@")
                email = f"{local}.{n}@{domain}"
            seen.add(email.lower())
            emails.append(email)
        row["emails"] = ",".join(emails)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def type_answers(settings: Settings, campaign: Campaign, threads: int) -> tuple[int, int]:
    """Every unit fills its Sheet and Doc (write_unit), in threads, one workspace per thread.
    Returns (answered, spoiled)."""
    profiles = assign_profiles(campaign, random.Random(45))
    codes = [u.code for u in campaign.units]
    chunks = [codes[i::threads] for i in range(threads)]
    spoiled = sum(1 for c in codes if profiles[c] == "invalid")

    def fill(chunk: list[str]) -> None:
        ws = GoogleWorkspace.from_settings(settings, campaign)
        ws.prepare()  # one list: the ids of every unit's files
        for code in chunk:
            unit = campaign.unit(code)
            rng = random.Random(code)
            answers = answers_for(campaign, unit, rng)
            profile = profiles[code]
            if profile == "invalid":
                answers = spoil(campaign, unit, answers, rng)
            # "missing" units answer too here (late, say): the benchmark reads every unit
            when = modified_time("on_time" if profile == "missing" else profile, campaign, rng)
            doc = narrative.docx_from_sections(campaign, unit, answers.narrative)
            ws.write_unit(unit, to_blocks(campaign, unit, answers), doc, when)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(fill, [c for c in chunks if c]))
    return len(codes), spoiled


def edit_units(fake: FakeGoogle, service: CampaignService, count: int) -> list[str]:
    """``count`` units spread over the list change one cell in the browser."""
    campaign = service.campaign
    files = dict((u.code, f) for u, f in service.unit_files())
    step = max(1, len(campaign.units) // count)
    picked = list(campaign.units)[::step][:count]
    for n, unit in enumerate(picked):
        form = campaign.forms_for(unit)[0]
        layout = workbook_layout(campaign, unit)[0]
        fake.edit_cells(files[unit.code].sheet_id, f"'{form.sheet}'!B{layout.first_data_row}", [["Tỉnh ủy", f"{100 + n}-KH/TU"]])
    return [u.code for u in picked]


def naive_read(fake: FakeGoogle, sheet_ids: list[str]) -> int:
    """What people write: open each spreadsheet, read every worksheet. Returns cells read."""
    gc = gspread_client(fake)
    cells = 0
    for key in sheet_ids:
        spreadsheet = gc.open_by_key(key)
        for worksheet in spreadsheet.worksheets():
            cells += sum(len(row) for row in worksheet.get_all_values())
    return cells


def failed_of(report) -> int:
    return len(report.failed) + len(report.retry)


# --- the run --------------------------------------------------------------------------------------


def bench(args: argparse.Namespace) -> tuple[list[dict], list[str]]:
    units, latency, quota, threads = args.units, args.latency, args.quota, args.threads
    tmp = Path(tempfile.mkdtemp(prefix=f"sonket-bench-google-{units}-"))
    options = dict(latency=latency, sheets_reads_per_minute=quota, sheets_writes_per_minute=quota, drive_per_minute=args.drive_quota)
    # In a child process by default: Google's CPU is not ours (see tests/fake_google/remote.py).
    fake = RemoteFake(**options) if args.fake_process else FakeGoogle(**options).start()
    rows: list[dict] = []
    notes: list[str] = []
    try:
        campaign_dir = make_campaign(tmp / "campaign", units)
        unique_emails(campaign_dir)
        campaign = load_campaign(campaign_dir)
        groups = len({u.group for u in campaign.units})
        drive_id = fake.create_shared_drive("Sơ kết (benchmark)")
        settings = Settings.from_env(
            {},
            backend="google",
            campaign_dir=campaign_dir,
            data_dir=tmp / "data",
            google_endpoint=fake.endpoint,
            google_token=fake.token,
            google_shared_drive_id=drive_id,
            sheets_reads_per_minute=quota,
            sheets_writes_per_minute=quota,
            drive_calls_per_minute=args.drive_quota,
            google_workers=args.workers,
            google_unit_cells=args.unit_cells,
        )
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        workspace = GoogleWorkspace.from_settings(settings, campaign)  # real limiters, clock and sleep
        service = CampaignService(settings, campaign, workspace, Store(settings.db_path))
        meter = Meter(fake, quota, args.drain)
        failed_total = 0
        minute = 60 / quota

        # 1. provisioning: templates + files.copy, on the pool
        print(f"provisioning {units} units ({args.unit_cells} mode, {args.workers} workers) ...", flush=True)
        meter.start()
        prov = service.provision()
        rows.append(
            meter.stop(
                f"provision {units} units ({args.unit_cells})",
                f"{len(prov.created)} created; {groups} group templates",
                today=units * minute,
            )
        )
        print(rows[-1], flush=True)
        assert len(prov.created) == units, prov
        prov_wall = rows[-1]["_wall"]

        # 2. units typing (setup): the fake's quota lifted, many threads
        print("units typing (setup) ...", flush=True)
        fake.set_quota()
        typing_settings = settings.with_(sheets_reads_per_minute=100_000, sheets_writes_per_minute=100_000, drive_calls_per_minute=1_000_000)
        meter.start()
        answered, spoiled = type_answers(typing_settings, campaign, threads)
        typing = meter.stop(
            "units typing (setup, not compared)",
            f"{answered} units answered ({spoiled} with mistakes), {threads} threads",
            lifted=True,
        )
        print(typing, flush=True)
        fake.set_quota(quota, quota, args.drive_quota)

        # 3. full sync
        meter.drain()
        print("full sync ...", flush=True)
        before = Counter(workspace.stats.counts)
        meter.start()
        full = service.sync(full=True)
        read_how = Counter(workspace.stats.counts) - before
        rows.append(
            meter.stop(
                "full sync",
                f"{full.read} read ({', '.join(f'{k} {v}' for k, v in sorted(read_how.items()))}), "
                f"{len(full.accepted)} accepted, {len(full.invalid)} invalid, {failed_of(full)} failed",
                today=(full.read + 3) * minute,
            )
        )
        print(rows[-1], flush=True)
        failed_total += failed_of(full)
        full_wall = rows[-1]["_wall"]
        full_refused = int(rows[-1]["429s"])

        # 4. a few units edited in the browser
        meter.drain()
        edited = edit_units(fake, service, EDITED_UNITS)
        print(f"sync after {len(edited)} units edited ...", flush=True)
        meter.start()
        some = service.sync()
        rows.append(
            meter.stop(
                f"sync, {len(edited)} units changed",
                f"{some.changed} changed, {some.read} read, {failed_of(some)} failed",
                today=(some.read + 3) * minute,
            )
        )
        print(rows[-1], flush=True)
        failed_total += failed_of(some)
        if some.changed != len(edited):
            notes.append(f"the sync after {len(edited)} edits saw {some.changed} changed units")

        # 5. nothing changed
        print("sync with no change ...", flush=True)
        meter.start()
        none = service.sync()
        rows.append(meter.stop("sync, no change", f"{none.changed} changed, {failed_of(none)} failed", today=0.0))
        print(rows[-1], flush=True)
        failed_total += failed_of(none)
        no_change_calls = rows[-1]["_total"]

        # 6. today's approach, measured: one values.batchGet per unit, one unit at a time
        if args.baseline:
            meter.drain()
            print("today's approach: full read with values.batchGet, one at a time ...", flush=True)
            old = GoogleWorkspace.from_settings(settings.with_(google_export_sheets="values", google_workers=1), campaign)
            old_store = Store(tmp / "baseline.db")
            meter.start()
            base = run_sync(campaign, old, old_store, full=True)
            rows.append(
                meter.stop(
                    "full sync, today's approach (measured)",
                    f"values.batchGet per unit, 1 worker: {base.read} read, {failed_of(base)} failed",
                    today=(base.read + 3) * minute,
                )
            )
            print(rows[-1], flush=True)
            old_store.close()

        # 7. naive gspread: open each spreadsheet, read each worksheet (quota lifted)
        if args.naive:
            sheet_ids = [f.sheet_id for _, f in service.unit_files()]
            print("naive gspread read ...", flush=True)
            fake.set_quota()
            meter.start()
            cells = naive_read(fake, sheet_ids)
            naive = meter.stop(
                "naive gspread full read",
                f"open_by_key + worksheets() + get_all_values() per tab, {len(sheet_ids)} sheets, {cells:,} cells; Docs not read",
                lifted=True,
            )
            rows.append(naive)
            print(naive, flush=True)
            fake.set_quota(quota, quota, args.drive_quota)
        rows.insert(1, typing)

        service.close()
        print(f"failed units: {failed_total}", flush=True)
        assert failed_total == 0, f"{failed_total} units failed"

        retried = sum(int(r["429s"]) for r in rows if r is not typing)
        notes += [
            f"Failed units: {failed_total} (asserted). Rate-limit refusals (Sheets 429, Drive 403 "
            f"userRateLimitExceeded) in the measured steps: {retried}, each retried by the client; none "
            f"reached a unit's status.",
            f"Full sync of {units} units: {_seconds(full_wall)} (target for 1,500: under 2 min: "
            f"{'met' if full_wall < 120 and failed_total == 0 and full_refused == 0 else 'see figures'}); "
            f"today's approach's quota floor {_seconds((units + 3) * minute)}.",
            f"Provisioning {units} units: {_seconds(prov_wall)} (target for 1,500: under 10 min); today's "
            f"floor {_seconds(units * minute)} (one Sheets batchUpdate per unit). In 'write' mode each unit "
            f"still costs one Sheets values.batchUpdate (its name in its tabs), so its floor is "
            f"{_seconds(max(0, units + groups - quota) * minute)}; 'title' mode writes only the {groups} templates.",
            f"No-change sync: {no_change_calls} call(s) (target 1): {'met' if no_change_calls == 1 else 'NOT met'}.",
        ]
        return rows, notes
    finally:
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def table(rows: list[dict]) -> list[str]:
    header = [h for h in rows[0] if not h.startswith("_")]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r[h] for h in header) + " |" for r in rows]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the fake adds to every call")
    parser.add_argument("--quota", type=int, default=60, help="Sheets reads and writes per minute (fake and client)")
    parser.add_argument("--drive-quota", type=int, default=12_000, help="Drive calls per minute (fake and client)")
    parser.add_argument("--workers", type=int, default=8, help="SONKET_GOOGLE_WORKERS")
    parser.add_argument("--unit-cells", choices=("write", "title"), default="write", help="SONKET_GOOGLE_UNIT_CELLS")
    parser.add_argument("--threads", type=int, default=TYPING_THREADS, help="threads for the untimed typing setup")
    parser.add_argument(
        "--baseline", action=argparse.BooleanOptionalAction, default=True, help="also measure today's full sync (values.batchGet, one at a time)"
    )
    parser.add_argument("--naive", action=argparse.BooleanOptionalAction, default=False, help="also time a naive gspread read (quota lifted)")
    parser.add_argument(
        "--fake-process", action=argparse.BooleanOptionalAction, default=True, help="run the fake in a child process (its CPU off the client's interpreter)"
    )
    parser.add_argument("--drain", action=argparse.BooleanOptionalAction, default=True, help="wait for an empty quota window before each step (untimed)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-google.md")
    args = parser.parse_args()

    rows, notes = bench(args)
    command = "python bench/run_google.py" + "".join(f" {a}" for a in map(shlex.quote, sys.argv[1:]))
    machine = f"{os.cpu_count()} cores shared with other jobs, Python {sys.version.split()[0]}"
    setup = (
        f"Fake Google on 127.0.0.1, {args.latency * 1000:.0f} ms added to every call; quotas {args.quota} Sheets reads "
        f"and {args.quota} Sheets writes per minute, {args.drive_quota:,} Drive calls per minute (server and client "
        f"limiters, real clock); {args.workers} workers; unit cells: {args.unit_cells}. "
        f"Quota floor = max(Sheets reads, Sheets writes) / {args.quota} per minute; today's floor = the same for "
        f"today's approach (one Sheets call per unit read or provisioned). The sliding window lets the first "
        f"{args.quota} calls of a step through at once, so a step can end up to a minute under a floor."
    )
    lines = table(rows)
    detail = [f"- {r['step']}: {r['_by_method']}" for r in rows]
    text = (
        f"Command: `{command}` ({machine})\n\n{setup}\n\n"
        + "\n".join(lines)
        + "\n\n"
        + "\n".join(f"- {n}" for n in notes)
        + "\n\nCalls by method:\n\n"
        + "\n".join(detail)
        + "\n"
    )
    write_section(args.out, f"{args.units} units, {args.unit_cells}", text)
    print()
    print(text)


def write_section(path: Path, key: str, text: str) -> None:
    """Replace (or add) this run's section of the results file, keeping the other runs."""
    start, end = f"<!-- run: {key} -->", f"<!-- end: {key} -->"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{start}\n## {key}\n\n{text}\n{end}"
    if start in old and end in old:
        new = old[: old.index(start)] + block + old[old.index(end) + len(end) :]
    else:
        new = (old.rstrip() + "\n\n" if old.strip() else "# Google backend benchmark\n\n") + block + "\n"
    path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
