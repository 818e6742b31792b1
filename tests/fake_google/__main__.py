"""Serve the fake standalone: python -m tests.fake_google --port 8089 [--latency 0.1]
[--reads-per-minute 60] [--writes-per-minute 60] [--token T] [--shared-drive NAME]
[--shared-drive-id ID].

The default token is the one sonket-gsync sends to an emulator (SONKET_GOOGLE_TOKEN's
default), and ``--shared-drive-id`` creates a Shared Drive with a known id, so the demo runs
with two environment variables:

    python -m tests.fake_google --shared-drive-id demo-drive &
    SONKET_GOOGLE_ENDPOINT=http://127.0.0.1:8089 SONKET_GOOGLE_SHARED_DRIVE_ID=demo-drive \
        sonket-gsync demo --backend google
"""

from __future__ import annotations

import argparse
import time

from .server import FakeGoogle


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_google")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--reads-per-minute", type=int, default=None)
    parser.add_argument("--writes-per-minute", type=int, default=None)
    parser.add_argument("--drive-per-minute", type=int, default=None)
    parser.add_argument("--token", default="emulator-token")
    parser.add_argument("--user-storage", action="store_true", help="caller is a delegated user with Drive storage")
    parser.add_argument("--shared-drive", action="append", default=[], help="create a shared drive with this name (repeatable)")
    parser.add_argument("--shared-drive-id", action="append", default=[], help="create a shared drive with this id (repeatable)")
    args = parser.parse_args(argv)
    fake = FakeGoogle(
        token=args.token,
        host=args.host,
        port=args.port,
        latency=args.latency,
        sheets_reads_per_minute=args.reads_per_minute,
        sheets_writes_per_minute=args.writes_per_minute,
        drive_per_minute=args.drive_per_minute,
        service_account_has_storage=args.user_storage,
    )
    fake.start()
    for name in args.shared_drive:
        print(f"shared drive {name!r}: {fake.create_shared_drive(name)}", flush=True)
    for drive_id in args.shared_drive_id:
        print(f"shared drive {fake.create_shared_drive(drive_id, drive_id)}", flush=True)
    print(f"fake Google serving on {fake.endpoint} (token {args.token!r})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
