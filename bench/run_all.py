"""Every benchmark, one after the other, and one table of their headline figures (`make bench`).

    .venv/bin/python bench/run_all.py [--quick] [--only NAME ...]

Each benchmark is a script that also runs alone (`.venv/bin/python bench/<name>.py`, with its own
detailed output); here each runs as a separate process with `--rows-json`, its own output is
passed through, and the figures it reports are gathered into one table at the end. By default the
whole run takes about ten minutes on 2 cores (the snapshot's first build alone three or four);
`--quick` makes every benchmark small (five to ten minutes in all, depending on the machine's load),
for checking that they work rather than for figures worth quoting.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import ROOT, Row, load_average, print_table

BENCHMARKS = ("import_10k", "snapshot_10k", "parse_memory", "pages", "load")
# Arguments for a benchmark's run here, where its own default does more than the table needs.
ARGUMENTS: dict[str, list[str]] = {}


def memory_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Small runs: checks that everything works.")
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS, help="Run only these benchmarks.")
    args = parser.parse_args()

    rows: list[Row] = []
    failed: list[str] = []
    began, load_before = time.perf_counter(), load_average()
    with tempfile.TemporaryDirectory(prefix="bench-rows-") as directory:
        for name in args.only or BENCHMARKS:
            rows_file = Path(directory) / f"{name}.json"
            options = [*ARGUMENTS.get(name, []), *(["--quick"] if args.quick else [])]
            command = [sys.executable, str(ROOT / "bench" / f"{name}.py"), *options, "--rows-json", str(rows_file)]
            print(f"\n=== bench/{name}.py {' '.join(options)}", flush=True)
            started = time.perf_counter()
            done = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"}, check=False)
            seconds = time.perf_counter() - started
            if done.returncode != 0 or not rows_file.exists():
                failed.append(name)
                rows.append(Row(f"{name}", "failed", "", f"exit status {done.returncode}; see its output above"))
                continue
            rows += [Row(**row) for row in json.loads(rows_file.read_text(encoding="utf-8"))]
            print(f"=== bench/{name}.py took {seconds:.0f} s", flush=True)

    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {memory_gib():.0f} GiB, "
        f"Python {platform.python_version()}{', --quick' if args.quick else ''}; "
        f"all benchmarks in {time.perf_counter() - began:.0f} s; "
        f"load average (1/5/15 min) {load_before} at the start, {load_average()} at the end\n"
    )
    print_table(rows)
    if failed:
        raise SystemExit(f"\nFailed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
