"""Web service figures: dashboard and unit page latency (p50, p95) at 150 and 1,500 units,
and the Drive notification endpoint's throughput.

    .venv/bin/python bench/run_web.py [--sizes 150,1500] [--requests 60] [--notifications 2000]

Each size gets a campaign folder copied from the example with that many units (groups
cycled), a fresh SQLite store filled through the store's own ``record_read`` with synthetic
answers (about 70 % sent, 10 % with errors, the rest missing) — no files are provisioned,
the pages read only the store. Requests go through Flask's test client in this process
(the app's own cost: routing, queries, templates; no network). Writes a Markdown table to
stdout; bench/results-web.md keeps the last run with this command.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sonket_gsync.app.service import CampaignService
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN, Settings
from sonket_gsync.core.text import now
from sonket_gsync.demo.synthetic import answers_for, to_submission
from sonket_gsync.forms.submission import Problem
from webhooks import create_app
from webhooks.auth import hash_password

EMAIL, PASSWORD = "bench@tinhuy.example", "mat-khau-do-hieu-nang"


def campaign_with(folder: Path, units: int) -> Path:
    target = folder / "campaign"
    shutil.copytree(DEFAULT_CAMPAIGN, target)
    with open(DEFAULT_CAMPAIGN / "units.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    groups = sorted({r["group"] for r in rows})
    with open(target / "units.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for i in range(units):
            base = rows[i % len(rows)]
            writer.writerow(
                {
                    **base,
                    "code": f"DV{i:05d}",
                    "name": f"{base['name']} số {i + 1}",
                    "group": groups[i % len(groups)] if i >= len(rows) else base["group"],
                    "emails": f"dv{i}@tinh.example",
                }
            )
    return target


def fill(service: CampaignService, rng: random.Random) -> None:
    campaign, store = service.campaign, service.store
    run = store.begin_run("bench", "local", False)
    moment = now()
    for unit in campaign.units:
        roll = rng.random()
        if roll < 0.2:
            continue  # never sent
        submission = to_submission(campaign, unit, answers_for(campaign, unit, rng))
        problems = []
        if roll < 0.3:
            problems = [
                Problem(unit.code, "Ô bắt buộc còn trống. Hãy điền 'Số lượng'.", "required", sheet="PL01", row=6 + i, column="Số lượng") for i in range(3)
            ]
        store.record_read(run, submission, problems, moment)
    store.finish_run(run, backend="local", cursor="", counts={"changed": len(campaign.units)})
    store.add_staff(EMAIL, "Bench", hash_password(PASSWORD))


def timed(client, path: str, n: int) -> list[float]:
    client.get(path)  # warm: templates compiled, connections open
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run_size(units: int, requests: int, notifications: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="sonket-bench-web-") as tmp:
        folder = Path(tmp)
        settings = Settings.from_env(
            {}, data_dir=folder / "data", campaign_dir=campaign_with(folder, units), nightly_sync_time="", notification_delay_seconds=5.0
        )
        service = CampaignService.open(settings)
        t0 = time.perf_counter()
        fill(service, random.Random(units))
        fill_s = time.perf_counter() - t0
        app = create_app(settings, service=service)
        client = app.test_client()
        page = client.get("/dang-nhap").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        assert client.post("/dang-nhap", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}).status_code == 302
        dashboard = timed(client, "/", requests)
        filtered = timed(client, "/?trang_thai=invalid&tim=so", requests)
        code = service.campaign.units[len(service.campaign.units) // 2].code
        unit_page = timed(app.test_client(), f"/u/{service.store.unit_token(code)}", requests)
        staff_unit = timed(client, f"/don-vi/{code}", requests)

        from sonket_gsync.store.records import ChannelInfo

        service.store.save_channel(ChannelInfo("bench-kenh", "bench-tai-nguyen", "bench-token", None, "https://x.example/drive/notifications", now()))
        machine = app.test_client()
        headers = {
            "X-Goog-Channel-ID": "bench-kenh",
            "X-Goog-Channel-Token": "bench-token",
            "X-Goog-Resource-ID": "bench-tai-nguyen",
            "X-Goog-Resource-State": "change",
        }
        start = time.perf_counter()
        for number in range(2, notifications + 2):
            response = machine.post("/drive/notifications", headers={**headers, "X-Goog-Message-Number": str(number)})
            assert response.status_code == 204
        elapsed = time.perf_counter() - start
        sync_jobs = [j for j in service.queries.jobs(100) if j.kind == "sync"]
        service.close()
    return {
        "units": units,
        "fill_s": fill_s,
        "dashboard": dashboard,
        "filtered": filtered,
        "unit_page": unit_page,
        "staff_unit": staff_unit,
        "notify_per_s": notifications / elapsed,
        "notify_ms": elapsed / notifications * 1000,
        "sync_jobs": len(sync_jobs),
        "notifications": notifications,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="150,1500")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--notifications", type=int, default=2000)
    args = parser.parse_args()
    results = [run_size(int(s), args.requests, args.notifications) for s in args.sizes.split(",")]
    print("| units | page | p50 ms | p95 ms |")
    print("|---:|---|---:|---:|")
    for r in results:
        for key, label in (
            ("dashboard", "dashboard `/`"),
            ("filtered", "dashboard filtered"),
            ("staff_unit", "staff unit page"),
            ("unit_page", "unit page `/u/<token>`"),
        ):
            print(f"| {r['units']} | {label} | {pct(r[key], 50):.1f} | {pct(r[key], 95):.1f} |")
    print()
    print("| units | notifications | per second | ms each | sync jobs enqueued |")
    print("|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['units']} | {r['notifications']} | {r['notify_per_s']:.0f} | {r['notify_ms']:.2f} | {r['sync_jobs']} |")
    print()
    print("Store filled in " + ", ".join(f"{r['fill_s']:.1f} s ({r['units']} units)" for r in results) + ".")


if __name__ == "__main__":
    main()
