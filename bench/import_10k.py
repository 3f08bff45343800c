"""Bulk import speed: 10,000 tokens into a fresh sandbox tenant, 100 ms of latency per Graph request.

    .venv/bin/python bench/import_10k.py [--tokens 10000] [--baseline-sample 300] [--latency-ms 100]

What runs, in a temporary directory with its own SQLite files (nothing of var/ is touched):
* the real job path: an admin signs in (MSAL + the sandbox), uploads an Entra CSV through the
  upload page, the background worker (`db_worker`, in this process) does the dry run, the admin
  confirms, the worker runs the job — bulk `PATCH …#$delta` in chunks of IMPORT_CHUNK_SIZE with
  IMPORT_CONCURRENCY chunks in flight;
* the way the community scripts do it: one `POST …/hardwareOathDevices` per token, one after the
  other. At 100 ms a request that would take over 15 minutes for 10,000 tokens, so it is measured
  on a sample (--baseline-sample tokens) and extrapolated; the output says so.

Figures are printed, not asserted. Timings come from a run without tracemalloc (it slows Python's
allocations down about threefold); peak memory (tracemalloc) from a second import of 10,000 other
serials — whose dry run then also pages through the first run's 10,000 tokens.

Where the time goes: each bulk PATCH waits the injected latency, then the emulator checks the
items and writes the valid ones in one transaction. The latency bound printed beside the measured
figure is what the job would take if Graph answered each chunk in exactly the injected latency and
the portal cost nothing: ceil(chunks / IMPORT_CONCURRENCY) waves of one latency each (100 chunks of
100 with 4 in flight at 100 ms: 25 waves, 2.5 s, 4,000 tokens/s).
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import (
    TIMED_ADAPTERS,
    Row,
    SandboxClock,
    common_arguments,
    configure,
    load_average,
    secret,
    write_rows,
)


def write_seed_file(path: Path, count: int, *, prefix: str = "BENCH") -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("serial number,secret key,time interval,manufacturer,model\r\n")
        for n in range(count):
            out.write(f"{prefix}{n:06d},{secret(f'{prefix}{n}')},30,Token2,C202\r\n")


@dataclass
class Run:
    staging_seconds: float = 0.0
    dry_run_seconds: float = 0.0
    dry_run_requests: int = 0
    job_seconds: float = 0.0
    job_sandbox_seconds: float = 0.0  # inside the sandbox's handlers, summed over threads, latency included
    job_cpu_seconds: float = 0.0  # this process's CPU time during the job (portal and sandbox, all threads)
    job_requests: int = 0
    patch_requests: int = 0
    peak_staging: int = 0
    peak_job: int = 0
    results: dict[str, int] = field(default_factory=dict)


def import_once(client: Any, seed_file: Path, count: int, *, prefix: str, worker: Any, traced: bool = False) -> Run:
    """Upload, dry run, confirm and run one import through the pages and the worker."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.imports.models import ImportJob
    from portal.sandbox.models import HardwareToken
    from portal.sandbox.requestlog import count_graph_calls

    run = Run()
    started = time.perf_counter()
    response = client.post("/admin/imports/new", {"file": SimpleUploadedFile("tokens.csv", seed_file.read_bytes())})
    assert response.status_code == 302, response.status_code
    run.staging_seconds = time.perf_counter() - started
    job = ImportJob.objects.order_by("-id").first()
    assert job is not None
    started = time.perf_counter()
    with count_graph_calls() as calls:
        worker()
        run.dry_run_requests = len(calls.requests)  # the log is read live: count before the job runs
    run.dry_run_seconds = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == "draft", job.status
    assert job.to_send == count, job.to_send
    if traced:
        run.peak_staging = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
    assert client.post(f"/admin/imports/{job.public_id}/confirm").status_code == 302
    started, sandbox_before, cpu_before = time.perf_counter(), SandboxClock.total(), time.process_time()
    with count_graph_calls() as calls:
        worker()
        methods = [entry.method for entry in calls.requests]
    run.job_seconds = time.perf_counter() - started
    run.job_cpu_seconds = time.process_time() - cpu_before
    run.job_sandbox_seconds = SandboxClock.total() - sandbox_before
    if traced:
        run.peak_job = tracemalloc.get_traced_memory()[1]
    job.refresh_from_db()
    assert job.status == "done", (job.status, job.error)
    created = HardwareToken.objects.filter(serial_number__startswith=prefix).count()
    assert created == count, created
    run.job_requests, run.patch_requests, run.results = len(methods), methods.count("PATCH"), job.results
    return run


def mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=10_000)
    parser.add_argument("--baseline-sample", type=int, default=300)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary databases for inspection.")
    common_arguments(parser)
    args = parser.parse_args()
    if args.quick:
        args.tokens, args.baseline_sample = min(args.tokens, 2_000), min(args.baseline_sample, 60)

    tmp = Path(tempfile.mkdtemp(prefix="import-bench-"))
    configure(tmp, latency_ms=args.latency_ms)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from portal.graph.client import GraphClient
    from portal.sandbox import keys
    from portal.sandbox.models import DirectoryUser
    from tests.support.signin import sign_in

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.HTTP_TRANSPORT_ADAPTERS = TIMED_ADAPTERS  # the sandbox's handling time, summed
    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, args.tokens)
    call_command("migrate", verbosity=0)
    call_command("sandbox_seed", verbosity=0)
    upn = "nestor.wilke@contoso-sandbox.example"
    seed_file = tmp / "tokens.csv"
    write_seed_file(seed_file, args.tokens)

    def worker() -> None:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    print(
        f"Sandbox with {args.latency_ms} ms per Graph request; IMPORT_CHUNK_SIZE={settings.IMPORT_CHUNK_SIZE}, "
        f"IMPORT_CONCURRENCY={settings.IMPORT_CONCURRENCY}; databases in {tmp}"
    )
    client = Client()
    sign_in(client, upn, next_url="/admin/", admin=True)

    # -- the job path ----------------------------------------------------------------------------
    # Timed without tracemalloc (it slows Python's allocations down about threefold); the memory
    # figures come from a second, identical import of other serials with tracemalloc running.
    load_before = load_average()
    timed = import_once(client, seed_file, args.tokens, prefix="BENCH", worker=worker)
    write_seed_file(seed_file, args.tokens, prefix="MEMORY")
    tracemalloc.start()
    traced = import_once(client, seed_file, args.tokens, prefix="MEMORY", worker=worker, traced=True)
    tracemalloc.stop()
    job_rate = args.tokens / timed.job_seconds

    print(f"\nJob path ({args.tokens:,} tokens, web upload → dry run → confirm → background job):")
    print(f"  upload and staging:  {timed.staging_seconds:6.2f} s (parse, seal secrets, store rows)")
    print(f"  dry run:             {timed.dry_run_seconds:6.2f} s ({timed.dry_run_requests} read-only Graph requests)")
    print(
        f"  import job:          {timed.job_seconds:6.2f} s → {job_rate:,.0f} tokens/s "
        f"({timed.patch_requests} bulk PATCH requests, {timed.job_requests} Graph requests in all)"
    )
    chunks = math.ceil(args.tokens / settings.IMPORT_CHUNK_SIZE)
    bound_seconds = math.ceil(chunks / settings.IMPORT_CONCURRENCY) * args.latency_ms / 1000
    print(
        f"  latency bound:       {bound_seconds:6.2f} s → {args.tokens / bound_seconds:,.0f} tokens/s "
        f"({chunks} chunks, {settings.IMPORT_CONCURRENCY} in flight, {args.latency_ms} ms each; "
        f"the job took {timed.job_seconds / bound_seconds:.1f} times that)"
    )
    emulator = timed.job_sandbox_seconds - timed.job_requests * args.latency_ms / 1000
    print(
        f"  sandbox's share:     {emulator:6.2f} s summed over the job's threads, beyond the injected latency "
        "(Microsoft's time in production; includes waiting for the GIL and SQLite's write lock)"
    )
    print(
        f"  CPU time:            {timed.job_cpu_seconds:6.2f} s of this process (portal and sandbox) during the job: "
        f"{timed.job_cpu_seconds / timed.job_seconds:.0%} of one core; the job path is CPU-bound, the one-by-one "
        "way latency-bound, so a busy machine lowers the ratio"
    )
    total = timed.staging_seconds + timed.dry_run_seconds + timed.job_seconds
    print(f"  end to end:          {total:6.2f} s → {args.tokens / total:,.0f} tokens/s")
    print(
        f"  peak Python memory (tracemalloc, second run): upload + dry run {mb(traced.peak_staging)}, "
        f"import job {mb(traced.peak_job)}"
    )
    print(f"  job result:          {timed.results}")

    # -- one request per token -------------------------------------------------------------------
    user = DirectoryUser.objects.get(user_principal_name=upn)
    token = keys.mint_access_token(
        user=user, scopes=list(settings.ADMIN_SCOPES), client_id=settings.ENTRA_CLIENT_ID, auth_time=timezone.now()
    )
    graph = GraphClient(token)
    sample = args.baseline_sample
    began = time.perf_counter()
    for n in range(sample):
        graph.device_create(
            serial_number=f"ONE{n:06d}", manufacturer="Token2", model="C202", secret_key=secret(f"one{n}")
        )
    baseline_seconds = time.perf_counter() - began
    baseline_rate = sample / baseline_seconds
    estimate = args.tokens / baseline_rate
    print(f"\nOne POST per token, sequential (the community scripts' way), measured on {sample} tokens:")
    print(f"  {sample} tokens in {baseline_seconds:.2f} s → {baseline_rate:,.1f} tokens/s")
    print(
        f"  extrapolated to {args.tokens:,} tokens: {estimate:,.0f} s ({estimate / 60:.1f} min)"
        " — an estimate from the sample, not a run"
    )
    load_after = load_average()
    print(f"\nRatio: the job path imports {job_rate / baseline_rate:,.1f} times as many tokens per second.")
    print(f"Load average (1/5/15 min): {load_before} before the job path, {load_after} after the one-by-one sample.")
    size = f"{args.tokens:,} tokens, {args.latency_ms} ms per Graph request"
    write_rows(
        args.rows_json,
        [
            Row(
                "import: job path",
                f"{job_rate:,.0f}",
                "tokens/s",
                f"{size}; latency bound {args.tokens / bound_seconds:,.0f} tokens/s ({bound_seconds:.1f} s); "
                f"{timed.job_cpu_seconds:.1f} s CPU in {timed.job_seconds:.1f} s",
            ),
            Row("import: one POST per token", f"{baseline_rate:,.1f}", "tokens/s", f"sequential, {sample} sampled"),
            Row(
                "import: ratio",
                f"{job_rate / baseline_rate:,.0f}",
                "x",
                f"job path / one POST per token, in one run; load average {load_before} → {load_after}",
            ),
            Row("import: end to end", f"{total:.1f}", "s", "upload, dry run, confirm, job"),
            Row("import: peak memory", f"{traced.peak_job / 2**20:.1f}", "MB", "tracemalloc, import job"),
        ],
    )
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
