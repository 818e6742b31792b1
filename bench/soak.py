"""Soak: ``sonket-gsync serve`` (web + supervised worker thread) and a second ``sonket-gsync
worker`` process on PostgreSQL for a bounded time, with a stream of unit edits, sync
requests (as Drive notifications or clicks would enqueue them) and compile clicks; in the
middle PostgreSQL is restarted and the worker process is killed (kill -9) and started again.
Afterwards: every edit is in its unit's latest version, every job ended, no output is older
than its predecessor, no traceback in any log. Prints the figures (Markdown).

    .venv/bin/python bench/soak.py [--minutes 10] [--units 8] [--out bench/results-soak.md]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sonket_gsync.app.service import CampaignService  # noqa: E402
from sonket_gsync.backends.local import LocalWorkspace  # noqa: E402
from sonket_gsync.campaign.load import load_campaign  # noqa: E402
from sonket_gsync.core.settings import Settings  # noqa: E402
from sonket_gsync.demo.synthetic import to_submission  # noqa: E402
from sonket_gsync.ingest.parse import parse_snapshot  # noqa: E402
from sonket_gsync.store import open_store  # noqa: E402
from tests.net import free_port, readyz  # noqa: E402
from tests.pg import create_database, postgres_control  # noqa: E402
from tests.units import type_answers  # noqa: E402

CLI = [sys.executable, "-m", "sonket_gsync.cli.main"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--units", type=int, default=8)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    seconds = args.minutes * 60
    work = Path(tempfile.mkdtemp(prefix="sonket-soak-"))
    data = work / "data"
    lines: list[str] = []
    with postgres_control() as pg:
        url = create_database(pg.url)
        campaign_dir = ROOT / "config" / "so-ket-45-nq-tw"
        env = dict(
            os.environ,
            SONKET_DATABASE_URL=url,
            SONKET_DATA_DIR=str(data),
            SONKET_NIGHTLY_SYNC_TIME="",
            SONKET_LEASE_SECONDS="10",
            SONKET_HEARTBEAT_MAX_SECONDS="30",
            SONKET_WORKER_POLL_SECONDS="0.5",
        )
        settings = Settings.from_env(env)
        subprocess.run([*CLI, "provision"], env=env, check=True, capture_output=True, cwd=ROOT)
        campaign = load_campaign(campaign_dir)
        units = random.Random(17).sample(list(campaign.units), args.units)
        editor = CampaignService(settings, campaign, LocalWorkspace(settings.workspace_dir, campaign), open_store(settings))
        port = free_port()
        logs = {name: (work / f"{name}.log").open("wb") for name in ("serve", "worker-1", "worker-2")}
        serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=logs["serve"], stderr=logs["serve"])
        worker = subprocess.Popen([*CLI, "-v", "worker"], env=env, cwd=ROOT, stdout=logs["worker-1"], stderr=logs["worker-1"])
        deadline = time.monotonic() + 60
        while readyz(port) != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        latest: dict[str, tuple[int, object]] = {}
        history: dict[str, list[tuple[int, object]]] = {}
        edits = syncs = compiles = 0
        events: list[str] = []
        rng = random.Random(45)
        start = time.monotonic()
        pg_done = kill_done = False
        not_ready = editor_waits = 0
        while time.monotonic() - start < seconds:
            elapsed = time.monotonic() - start
            if not pg_done and elapsed > seconds * 0.4:  # the restart runs beside the stream of edits

                def restart(at: float = elapsed) -> None:
                    t = time.monotonic()
                    pg.stop()
                    time.sleep(10)
                    pg.start()
                    events.append(f"PostgreSQL stopped at {at:.0f} s and started again {time.monotonic() - t:.1f} s later")

                outage = threading.Thread(target=restart)
                outage.start()
                pg_done = True
            if not kill_done and elapsed > seconds * 0.6:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                worker = subprocess.Popen([*CLI, "-v", "worker"], env=env, cwd=ROOT, stdout=logs["worker-2"], stderr=logs["worker-2"])
                kill_done = True
                events.append(f"worker process killed (-9) and started again at {elapsed:.0f} s")
                continue
            unit = rng.choice(units)
            seed = edits + 1
            try:
                answers = type_answers(editor, unit.code, seed=seed, typed_at=seed)
                latest[unit.code] = (seed, answers)
                history.setdefault(unit.code, []).append((seed, answers))
                edits += 1
                editor.enqueue("sync", {"trigger": "notification"}, requested_by="soak", delay_seconds=1)
                syncs += 1
                if rng.random() < 0.15:
                    editor.enqueue("compile", {}, requested_by="soak")
                    compiles += 1
            except Exception as exc:  # the store is down for a moment: the editor waits too
                editor_waits += 1
                if editor_waits == 1 or "waited" not in events[-1]:
                    events.append(f"the editor could not enqueue at {elapsed:.0f} s ({type(exc).__name__}); it goes on")
                time.sleep(1)
            if readyz(port) != 200:
                not_ready += 1
            time.sleep(rng.uniform(0.5, 1.5))
        if pg_done:
            outage.join()
        # the end: one last sync, then every job must end by itself
        final = editor.enqueue("sync", {"trigger": "final"}, requested_by="soak")
        settle = time.monotonic()
        while time.monotonic() - settle < 300:
            jobs = editor.store.jobs(limit=100_000)
            if all(j.finished for j in jobs) and editor.store.job(final.id).finished:
                break
            time.sleep(0.5)
        settled = time.monotonic() - settle
        jobs = editor.store.jobs(limit=100_000)
        states = Counter(j.state for j in jobs)
        records = {r.unit.code: r for r in editor.records()}
        # the truth is each unit's file as the stream left it (an edit types over the last one:
        # rows an earlier, longer answer filled stay), read and parsed afresh
        expected = {}
        for code in latest:
            unit = campaign.unit(code)
            expected[code] = parse_snapshot(campaign, unit, editor.workspace.read_unit(unit), editor.workspace.limits).submission.tables
        missing = [code for code in latest if records[code].submission is None or records[code].submission.tables != expected[code]]
        diagnosis = []
        for code in missing:
            stored = records[code].submission
            match = [s for s, a in history[code] if stored is not None and stored.tables == to_submission(campaign, campaign.unit(code), a).tables]
            problems = [p.message[:120] for p in editor.store.problems(code)]
            diagnosis.append(
                f"{code}: latest edit {latest[code][0]}, stored = edit {match or '?'}, owed re-read {editor.store.reread_due().get(code, 'no')}, problems {problems}"
            )
        outputs = sorted(editor.store.outputs(limit=100_000), key=lambda o: o.created_at)
        by_kind: dict[str, list] = {}
        for o in editor.store.outputs(limit=100_000):
            by_kind.setdefault(o.kind, []).append(o)
        older = [k for k, items in by_kind.items() if any(a.created_at < b.created_at for a, b in itertools.pairwise(items))]  # newest first
        runs = editor.store.runs(limit=100_000)
        serve.send_signal(signal.SIGTERM)
        worker.send_signal(signal.SIGTERM)
        serve.wait(60)
        worker.wait(60)
        editor.close()
        for f in logs.values():
            f.close()
        texts = {name: (work / f"{name}.log").read_text(encoding="utf-8", errors="replace") for name in logs}
        tracebacks = {name: text.count("Traceback") for name, text in texts.items()}
        outage_lines = sum(text.count("worker loop failed, retrying") for text in texts.values())
        ok = not missing and all(j.finished for j in jobs) and not older and not any(tracebacks.values())
        lines += [
            f"Command: `.venv/bin/python bench/soak.py --minutes {args.minutes:g} --units {args.units}`",
            "",
            f"- duration {seconds / 60:.1f} min; {edits} unit edits on {len(units)} units; {syncs} sync requests; {compiles} compile clicks",
            *[f"- {e}" for e in events],
            f"- jobs: {len(jobs)} in all — " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())),
            f"- sync runs: {len(runs)} (" + ", ".join(f"{k} {v}" for k, v in sorted(Counter(r.status.split(":")[0] for r in runs).items())) + ")",
            f"- outputs recorded: {len(outputs)}; kinds whose order went back in time: {older or 'none'}",
            f"- every job ended {settled:.1f} s after the stream stopped; units whose latest edit is not in the latest version: {missing or 'none'}",
            f"- /readyz not 200 at {not_ready} of {edits + editor_waits} checks (during the outage); enqueue attempts refused while the store was down: {editor_waits}",
            f"- 'worker loop failed' lines in the logs: {outage_lines} (one per process per outage); tracebacks: {tracebacks}",
            *[f"- not read: {d}" for d in diagnosis],
            f"- result: {'PASS' if ok else 'FAIL'}",
        ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text("# Soak: serve + a worker on PostgreSQL, with a restart and a kill\n\n" + text + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
