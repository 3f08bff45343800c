"""Bulk imports of vendor seed files, and bulk assignment, as background jobs with a dry run first.

    parsing/             the seed-file parsers (pure functions, no database, no network, bounded memory);
                         one module per format in parsing/formats/, listed in parsing/registry.py
    models.py            ImportJob, ImportRow (sealed secret while pending, erased when done)
    maintenance.py       the periodic purge of finished or abandoned jobs' leftovers (portal.core.periodic)
    uploads.py, forms.py the upload gate (size refused before the body is read) and the forms
    services/staging     file → job + rows, streamed in chunks
    services/analysis    the dry run (read-only Graph lookups: services/lookups)
    services/jobs        confirm, discard, cancel, claim + lease, the end, crash recovery, audit
    services/runner      the job itself (coordinator); services/sending: one chunk on a thread;
                         retries are the Graph client's (RetryPolicy.for_jobs), the engine handles outcomes
    tasks.py             django-tasks entry points (job id in, summary out: never a secret); the only
                         place that enqueues (services never import it)
    views.py, export.py  the pages under /admin/imports/ and the CSV of a job's rows
    management/commands/import_tokens.py  the same dry run and job from the command line

The worker acts with the delegated rights of the admin who confirmed: their MSAL token cache is
sealed (portal.identity.sealing) on the job while a task needs it (portal.identity.delegation).
"""
