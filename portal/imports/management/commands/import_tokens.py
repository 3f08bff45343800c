"""manage.py import_tokens FILE --as UPN: the web import's dry run and job, in the foreground.

    manage.py import_tokens tokens.csv --as admin@contoso.com --access-token-file token.txt --dry-run
    manage.py import_tokens seeds.pskc --as admin@contoso.com --access-token-file token.txt \\
        --pskc-password-file pw.txt --default-manufacturer Feitian --default-model "OTP c200"
    manage.py import_tokens pairs.csv --as helpdesk@contoso.com --assignments --access-token-file token.txt

How the command acts as the admin (it calls Graph with the admin's delegated rights, as the web
pages do), the simplest honest way: `--access-token-file` holds a delegated Graph access token of
that admin (for example `az account get-access-token --resource-type ms-graph --query accessToken
-o tsv`, from a sign-in that consented to the portal's admin scopes; on the sandbox tenant,
`manage.py sandbox_token --user <upn> --admin > token.txt`). The command checks with Graph that the
token belongs to `--as`. Such a token lives about an hour and cannot be refreshed: a longer import
stops cleanly when Graph refuses it, and running the file again skips what was already done. (The
portal is a confidential client, so MSAL's device-code flow is not available to it.)

The job is the same job the pages show (history, results CSV, audit trail); it runs in this process
rather than on the background worker. Exit status 1 when the job failed or some rows failed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.graph.client import GraphClient
from portal.graph.errors import GraphError
from portal.identity.models import User
from portal.identity.roles import INVENTORY_WRITERS, USER_TOKEN_MANAGERS, Role, roles_from_wids
from portal.imports.export import rows_csv
from portal.imports.models import ImportJob, ImportRow
from portal.imports.parsing import SeedFileError
from portal.imports.services import jobs, staging
from portal.imports.services.analysis import job_analyse
from portal.imports.services.credentials import FixedToken
from portal.imports.services.runner import job_run
from portal.imports.summary import result_counts

SHOW_REJECTED = 50


class Command(BaseCommand):
    help = "Import a seed file (or, with --assignments, a user/serial file) with a dry run, as an admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The seed file (or assignment CSV).")
        parser.add_argument("--as", dest="as_upn", required=True, metavar="UPN", help="The admin to act as.")
        parser.add_argument(
            "--access-token-file",
            required=True,
            metavar="PATH",
            help="File holding a delegated Graph access token of that admin "
            "(on the sandbox tenant: `manage.py sandbox_token --user UPN --admin`).",
        )
        secret = parser.add_mutually_exclusive_group()
        secret.add_argument("--pskc-key", metavar="HEX", help="Pre-shared AES key of an encrypted PSKC file, in hex.")
        secret.add_argument(
            "--pskc-password-file", metavar="PATH", help="File holding the password of an encrypted PSKC file."
        )
        parser.add_argument("--default-manufacturer", default="", help="Manufacturer for files that name none.")
        parser.add_argument("--default-model", default="", help="Model for files that name none.")
        parser.add_argument("--assignments", action="store_true", help="The file assigns existing tokens to users.")
        parser.add_argument("--dry-run", action="store_true", help="Only show what would happen; send nothing.")
        parser.add_argument(
            "--results-csv", metavar="PATH", help="Write the dry run (or the results) to this CSV file."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if path.stat().st_size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise CommandError(
                f"{path.name} is larger than IMPORT_MAX_UPLOAD_BYTES ({settings.IMPORT_MAX_UPLOAD_BYTES} bytes)."
            )
        token, actor, roles = self._authenticate(options["as_upn"], options["access_token_file"])
        kind = ImportJob.Kind.ASSIGNMENT if options["assignments"] else ImportJob.Kind.SEED
        needed = USER_TOKEN_MANAGERS if kind == ImportJob.Kind.ASSIGNMENT else INVENTORY_WRITERS
        if not roles & needed:
            labels = ", ".join(sorted(role.label for role in needed))
            raise CommandError(f"{actor.upn} holds none of the roles this needs: {labels}.")

        job = self._stage(path, kind, actor, roles, options)
        self.stdout.write(f"Read {job.total_rows} row(s) from {job.file_name} ({job.format_label}).")
        tokens = FixedToken(token)
        owner = jobs.worker_name()
        analysed = job_analyse(job.pk, owner=owner, tokens=tokens)
        if analysed is None or analysed.status != ImportJob.Status.DRAFT:
            failed = ImportJob.objects.get(pk=job.pk)
            raise CommandError(failed.error or "The dry run did not finish.")
        self._print_plan(analysed)
        if options["dry_run"]:
            self._write_csv(analysed, options.get("results_csv"))
            jobs.job_discard(job=analysed)
            self.stdout.write("Dry run only: nothing was sent.")
            return

        jobs.job_confirm(job=analysed, actor=actor, delegation=None)
        self.stdout.write(f"Importing {analysed.to_send} row(s)…")
        started = time.monotonic()
        finished = job_run(job.pk, owner=owner, tokens=tokens, on_progress=self._print_progress)
        job = ImportJob.objects.get(pk=job.pk)
        self._write_csv(job, options.get("results_csv"))
        self._print_results(job, time.monotonic() - started)
        if finished is None or job.status == ImportJob.Status.FAILED:
            raise CommandError(f"The import stopped: {job.error or 'another worker took it over.'}")
        if job.results.get(ImportRow.Outcome.FAILED):
            raise CommandError(f"{job.results[ImportRow.Outcome.FAILED]} row(s) failed; see the results above.")

    # -- acting as the admin ------------------------------------------------------------------------

    def _authenticate(self, upn: str, token_file: str) -> tuple[str, User, frozenset[Role]]:
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CommandError(f"Cannot read the access token file {token_file}: {exc.strerror}.") from None
        if not token:
            raise CommandError(f"{token_file} is empty.")
        try:
            me = GraphClient(token).me()
        except GraphError as exc:
            raise CommandError(f"Graph refused the access token ({exc.status} {exc.code}).") from None
        if (me.user_principal_name or "").lower() != upn.strip().lower():
            raise CommandError(f"The access token belongs to {me.user_principal_name}, not to {upn}.")
        actor, _ = User.objects.update_or_create(
            username=me.id, defaults={"upn": me.user_principal_name or upn, "display_name": me.display_name or ""}
        )
        return token, actor, roles_from_wids(_claims(token).get("wids", []))

    # -- the steps ----------------------------------------------------------------------------------

    def _stage(self, path: Path, kind: str, actor: User, roles: frozenset[Role], options: dict[str, Any]) -> ImportJob:
        password = None
        if options.get("pskc_password_file"):
            password = Path(options["pskc_password_file"]).read_text(encoding="utf-8").rstrip("\r\n")
        try:
            with path.open("rb") as stream:
                if kind == ImportJob.Kind.ASSIGNMENT:
                    return staging.assignment_file_stage(
                        actor=actor, stream=stream, file_name=path.name, delegation=None
                    )
                return staging.seed_file_stage(
                    actor=actor,
                    stream=stream,
                    file_name=path.name,
                    delegation=None,
                    assign_allowed=bool(roles & USER_TOKEN_MANAGERS),
                    pskc_key_hex=options.get("pskc_key"),
                    pskc_password=password,
                    default_manufacturer=options["default_manufacturer"],
                    default_model=options["default_model"],
                )
        except SeedFileError as exc:
            raise CommandError(exc.message) from None

    def _print_plan(self, job: ImportJob) -> None:
        labels = dict(ImportRow.Verdict.choices)
        self.stdout.write("Dry run:")
        for verdict, count in sorted(job.plan.items()):
            self.stdout.write(f"  {labels.get(verdict, verdict)}: {count}")
        # Rejected rows, and rows whose token is created without the assignment they ask for.
        shown = (ImportRow.Verdict.REJECT, ImportRow.Verdict.CREATE_UNASSIGNED)
        problems = job.rows.filter(verdict__in=shown).defer("secret").order_by("row_number")
        total = problems.count()
        for row in problems[:SHOW_REJECTED]:
            self.stdout.write(f"  row {row.row_number} {row.serial or '(no serial)'}: {row.reason}")
        if total > SHOW_REJECTED:
            self.stdout.write(f"  … and {total - SHOW_REJECTED} more row(s) like these (see --results-csv).")

    def _print_progress(self, job: ImportJob) -> None:
        counts = {key: n for key, n in jobs.outcome_counts(job).items() if key != ImportRow.Outcome.PENDING}
        done = ", ".join(result_counts(job, counts))
        self.stdout.write(f"  {job.processed_rows}/{job.to_send} ({job.percent} %){' — ' + done if done else ''}")

    def _print_results(self, job: ImportJob, seconds: float) -> None:
        self.stdout.write(f"{job.get_status_display()} in {seconds:.1f} s: {json.dumps(job.results, sort_keys=True)}")
        failed = job.rows.filter(outcome=ImportRow.Outcome.FAILED).defer("secret").order_by("row_number")
        for row in failed[:SHOW_REJECTED]:
            self.stdout.write(f"  row {row.row_number} {row.serial}: {row.detail}")

    def _write_csv(self, job: ImportJob, target: str | None) -> None:
        if not target:
            return
        with open(target, "w", encoding="utf-8", newline="") as out:
            for line in rows_csv(job):
                out.write(line)
        self.stdout.write(f"Wrote {target}.")


def _claims(token: str) -> dict[str, Any]:
    """The token's claims, unverified: only to read the admin's roles (`wids`) and shape the checks
    above. Graph verifies the token and enforces the roles on every call."""
    try:
        return dict(jwt.decode(token, options={"verify_signature": False}))
    except jwt.PyJWTError:
        return {}
