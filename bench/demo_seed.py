"""What the demo costs `make run`: ``migrate`` and ``seed_demo`` on a fresh SQLite database.

Runs both as `make run` runs them (separate processes, embedded defaults), with the database in a
temporary folder and the sandbox provider on a free port, ``--runs`` times, and prints each run's
wall times and the median. Goal: migrate + seed_demo under 15 s.

    .venv/bin/python bench/demo_seed.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    totals = []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as folder:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "influencer_platform.settings.local",
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'db.sqlite3'}",
                "REDIS_URL": "",
                "SCRAPECREATORS_API_KEY": "",
                "SANDBOX_PROVIDER_PORT": str(free_port()),
                "LOG_LEVEL": "WARNING",
            }
            migrate, _ = timed(["migrate", "--noinput"], env)
            seed, output = timed(["seed_demo"], env)
        totals.append(migrate + seed)
        print(f"run {run}: migrate {migrate:.1f} s + seed_demo {seed:.1f} s = {migrate + seed:.1f} s")
    print(output.rstrip())
    median = statistics.median(totals)
    verdict = "ok" if median < GOAL_SECONDS else "too slow"
    print(f"median migrate + seed_demo: {median:.1f} s (goal < {GOAL_SECONDS:.0f} s: {verdict}); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
