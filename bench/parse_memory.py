"""Seed-file parsing memory: peak RSS above the process's baseline, for normal files and for the
worst files we can make at the upload cap.

Each file is parsed in a fresh Python process through the public entry point, streamed from disk
as an upload would be, with the web's row cap (IMPORT_MAX_ROWS, 50,000). The process imports
everything and resets its peak (`/proc/self/clear_refs`), then parses; the figure is VmHWM (peak
resident set) minus the RSS before parsing — real memory, not just what tracemalloc sees.

    .venv/bin/python bench/parse_memory.py

What to expect: every format is streamed with caps checked while reading, so a 10 MB file costs a
few MB whatever it holds; the "evil" files are refused with a sentence (or stopped by the row cap)
without being built in memory. Target: under 50 MB above baseline for every file.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import ROOT, Row, common_arguments, write_rows

UPLOAD_CAP = 10 * 1024 * 1024
ROWS = 10_000
PSKC_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">\n'
)
PSKC_CLOSE = b"</KeyContainer>\n"


def _secret(n: int) -> str:
    return base64.b32encode(n.to_bytes(20, "big")).decode()


def _fill(path: Path, opening: bytes, unit: bytes, closing: bytes) -> None:
    """opening + as many units as fit under the upload cap + closing."""
    count = (UPLOAD_CAP - len(opening) - len(closing)) // len(unit)
    with path.open("wb") as out:
        out.write(opening)
        block = unit * 10_000
        for _ in range(count // 10_000):
            out.write(block)
        out.write(unit * (count % 10_000))
        out.write(closing)


# -- normal files: 10,000 tokens --------------------------------------------------------------------


def normal_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("upn,serial number,secret key,time interval,manufacturer,model\r\n")
        for n in range(ROWS):
            out.write(f"user{n}@contoso.com,{n:010d},{_secret(n)},30,Contoso,OTP-6\r\n")


def normal_json(path: Path) -> None:
    tokens = [
        {
            "serialNumber": f"{n:010d}",
            "secretKey": _secret(n),
            "timeIntervalInSeconds": 30,
            "manufacturer": "C",
            "model": "M",
        }
        for n in range(ROWS)
    ]
    path.write_text(json.dumps(tokens, indent=1))


def normal_pskc(path: Path) -> None:
    with path.open("wb") as out:
        out.write(PSKC_OPEN)
        for n in range(ROWS):
            secret = base64.b64encode(n.to_bytes(20, "big")).decode()
            out.write(
                f"""<KeyPackage><DeviceInfo><Manufacturer>Contoso</Manufacturer><SerialNo>{n:010d}</SerialNo>
<Model>OTP-6</Model></DeviceInfo><Key Id="{n}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
<AlgorithmParameters><ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters><Data>
<Secret><PlainValue>{secret}</PlainValue></Secret><TimeInterval><PlainValue>30</PlainValue></TimeInterval>
</Data></Key></KeyPackage>
""".encode()
            )
        out.write(PSKC_CLOSE)


# -- the worst files we could make at the upload cap ------------------------------------------------

EVIL: dict[str, Callable[[Path], None]] = {
    "pskc: empty key packages": lambda p: _fill(p, PSKC_OPEN, b"<KeyPackage/>", PSKC_CLOSE),
    "pskc: empty elements": lambda p: _fill(p, PSKC_OPEN, b"<a/>", PSKC_CLOSE),
    "pskc: elements in one package": lambda p: _fill(
        p, PSKC_OPEN + b"<KeyPackage>", b"<a/>", b"</KeyPackage>" + PSKC_CLOSE
    ),
    "pskc: nested elements": lambda p: _fill(p, PSKC_OPEN, b"<a>", PSKC_CLOSE),
    "pskc: one long text": lambda p: _fill(
        p, PSKC_OPEN + b"<KeyPackage><Key><FriendlyName>", b"x", b"</FriendlyName></Key></KeyPackage>" + PSKC_CLOSE
    ),
    "pskc: one long tag": lambda p: _fill(p, PSKC_OPEN + b"<KeyPackage", b" a=''", b"/>" + PSKC_CLOSE),
    "json: list of empty lists": lambda p: _fill(p, b"[[]", b",[]", b"]"),
    "json: inventory of empty lists": lambda p: _fill(p, b'{"inventory": [[]', b",[]", b"]}"),
    "json: assignments of empty objects": lambda p: _fill(p, b'{"inventory": [], "assignments": [{}', b",{}", b"]}"),
    "json: nested lists": lambda p: _fill(p, b"", b"[", b""),
    "json: one long list item": lambda p: _fill(p, b"[[[]", b",[]", b"]]"),
    "csv: one line of commas": lambda p: _fill(p, b"serialNumber,secretKey\r\n", b",", b"x\r\n"),
    "csv: rows of one value": lambda p: _fill(p, b"serialNumber,secretKey\r\n", b"x\r\n", b""),
}


def _rss(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) * 1024  # type: ignore[union-attr]


def child(path: str) -> None:
    """Parse one file; print "peak-bytes seconds outcome" on one line."""
    sys.path.insert(0, str(ROOT))
    # The parsers' messages are marked for translation: Django's settings and the message catalogue
    # are loaded before the baseline, as they are in the web process and the worker.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.utils.translation import gettext

    django.setup()
    gettext("missing secret")
    from portal.imports.parsing import SeedFileError, SeedRow, parse_seed_file

    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := current RSS
    baseline = _rss("VmRSS")
    started = time.perf_counter()
    accepted = rows = 0
    try:
        with open(path, "rb") as stream:
            for verdict in parse_seed_file(stream, max_rows=50_000).rows():
                rows += 1
                accepted += isinstance(verdict, SeedRow)
        outcome = f"{accepted:,} of {rows:,} rows accepted"
    except SeedFileError as error:
        outcome = f"refused after {rows:,} rows: {error.message[:90]}"
    elapsed = time.perf_counter() - started
    print(max(0, _rss("VmHWM") - baseline), f"{elapsed:.2f}", outcome)


def measure(path: Path) -> tuple[float, float, str]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    peak, seconds, outcome = out.split(" ", 2)
    return int(peak) / 2**20, float(seconds), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common_arguments(parser)
    args = parser.parse_args()
    files: dict[str, Callable[[Path], None]] = {
        "normal: Entra CSV, 10,000 rows": normal_csv,
        "normal: JSON list, 10,000 rows": normal_json,
        "normal: PSKC, 10,000 keys": normal_pskc,
        **({} if args.quick else EVIL),
    }
    worst = 0.0
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        print(f"{'file':<36}{'size':>9}{'peak RSS':>10}{'seconds':>9}  outcome")
        for number, (label, write) in enumerate(files.items()):
            path = Path(directory) / f"{number}.seed"
            write(path)
            peak, seconds, outcome = measure(path)
            worst = max(worst, peak)
            size = os.path.getsize(path) / 2**20
            print(f"{label:<36}{size:>7.1f}MB{peak:>8.1f}MB{seconds:>9.2f}  {outcome}")
            rows.append(
                Row(f"parse: {label}", f"{peak:.1f}", "MB RSS", f"{size:.1f} MB file, {seconds:.2f} s; {outcome}")
            )
            path.unlink()
    print(f"\nworst peak above baseline: {worst:.1f} MB (target: under 50 MB)")
    write_rows(args.rows_json, rows)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
