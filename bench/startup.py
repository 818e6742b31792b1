"""Start-up and a one-unit sync, as a user runs them: ``sonket-gsync --help`` and
``sonket-gsync sync --unit X`` on the demo's data, each in its own process, wall time and
CPU time (user + system of the child), and how many modules the command loaded.

    .venv/bin/python bench/startup.py                       # this checkout
    .venv/bin/python bench/startup.py --repo OTHER_CHECKOUT --python OTHER/.venv/bin/python

The demo's data folder is made once per checkout (not timed). Each figure is the median of
``--runs`` runs (default 7); the machine is shared, so CPU seconds are the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT_MODULES = "import atexit, sys, os; atexit.register(lambda: open(os.environ['SONKET_BENCH_MODULES'], 'w').write(str(len(sys.modules))))\n"


def timed(python: str, repo: Path, args: list[str]) -> tuple[float, float, int]:
    """(wall s, CPU s, modules loaded) of one run of the CLI with ``args``."""
    with tempfile.NamedTemporaryFile(suffix=".n", delete=False) as f:
        count_file = f.name
    code = COUNT_MODULES + "from sonket_gsync.cli import main\nmain(sys.argv[1:])"
    env = {**os.environ, "PYTHONPATH": str(repo), "SONKET_BENCH_MODULES": count_file}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([python, "-c", code, *args], cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    modules = int(Path(count_file).read_text() or 0)
    os.unlink(count_file)
    return wall, cpu, modules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout to measure (default: this one)")
    parser.add_argument("--python", default=sys.executable, help="its interpreter (its .venv)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--unit", default="X_XUAN_LOC")
    options = parser.parse_args()
    repo = options.repo.resolve()
    data = Path(tempfile.mkdtemp(prefix="sonket-startup-")) / "data"
    env = {**os.environ, "PYTHONPATH": str(repo)}
    subprocess.run(
        [options.python, "-c", "import sys; from sonket_gsync.cli import main; main(sys.argv[1:])", "--data", str(data), "demo"],
        cwd=repo,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows = []
    for label, args in (
        ("sonket-gsync --help", ["--help"]),
        (f"sonket-gsync sync --unit {options.unit}", ["--data", str(data), "sync", "--unit", options.unit]),
    ):
        runs = [timed(options.python, repo, args) for _ in range(options.runs)]
        rows.append((label, statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs[0][2]))
    print(f"checkout: {repo}  (median of {options.runs} runs)")
    print(f"{'command':<40} {'wall s':>8} {'CPU s':>8} {'modules':>8}")
    for label, wall, cpu, modules in rows:
        print(f"{label:<40} {wall:>8.2f} {cpu:>8.2f} {modules:>8}")


if __name__ == "__main__":
    main()
