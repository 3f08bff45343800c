"""Seed-file parsing speed and memory: does memory stay flat as the file grows?

Writes Entra-format CSV files of 10,000 and 100,000 rows to a temporary directory, parses each
through the public entry point (streamed from disk, as an upload would be), and prints rows per
second and the peak Python memory seen by tracemalloc while parsing. Also runs a 100,000-item JSON
list, the other streamed format.

    .venv/bin/python bench/parse_memory.py

What to expect: records are streamed, so the file's size does not show in memory. The one thing
that grows with the row count is the in-file duplicate index (a serial string and a row number per
distinct serial, ~130 bytes). The "repeating" runs use only 1,000 distinct serials (every later
row is then a duplicate verdict, after full parsing) to show that, index aside, memory is flat.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.imports.parsing import SeedRow, parse_seed_file

HEADER = "upn,serial number,secret key,time interval,manufacturer,model\r\n"


def _secret(n: int) -> str:
    return base64.b32encode(n.to_bytes(20, "big")).decode()


def write_csv(path: Path, rows: int, distinct: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for n in range(rows):
            out.write(f"user{n}@contoso.com,{n % distinct:010d},{_secret(n)},30,Contoso,OTP-6\r\n")


def write_json(path: Path, rows: int, distinct: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for n in range(rows):
            token = {
                "serialNumber": f"{n % distinct:010d}",
                "secretKey": _secret(n),
                "timeIntervalInSeconds": 30,
                "manufacturer": "Contoso",
                "model": "OTP-6",
            }
            out.write(("," if n else "") + json.dumps(token) + "\n")
        out.write("]\n")


def parse(path: Path) -> int:
    accepted = 0
    with path.open("rb") as stream:
        for verdict in parse_seed_file(stream, max_rows=1_000_000).rows():
            accepted += isinstance(verdict, SeedRow)
    return accepted


def measure(path: Path) -> tuple[int, float, int]:
    """(accepted rows, seconds without tracing, peak bytes with tracing): tracemalloc slows Python
    several times over, so speed and memory come from separate runs."""
    started = time.perf_counter()
    accepted = parse(path)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    parse(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return accepted, elapsed, peak


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        print(f"{'file':<28}{'size':>9}{'rows':>9}{'accepted':>10}{'rows/s':>9}{'peak MiB':>10}")
        for kind, writer in (("csv", write_csv), ("json", write_json)):
            for label, distinct in (("unique", 10**9), ("repeating", 1_000)):
                for rows in (10_000, 100_000):
                    path = Path(directory) / f"{label}-{rows}.{kind}"
                    writer(path, rows, distinct)
                    accepted, elapsed, peak = measure(path)
                    assert accepted == min(rows, distinct), (accepted, rows)
                    size = os.path.getsize(path) / 2**20
                    print(
                        f"{path.name:<28}{size:>7.1f}MB{rows:>9,}{accepted:>10,}"
                        f"{rows / elapsed:>9,.0f}{peak / 2**20:>10.2f}"
                    )


if __name__ == "__main__":
    main()
