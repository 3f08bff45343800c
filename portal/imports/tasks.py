"""Background tasks (django-tasks, database backend; worker: `manage.py worker`).

Arguments are the job's id only, and results are small summaries: django_tasks_db stores both in
its table, so no secret may ever pass through here (secrets stay sealed on the job's rows).

* import_job_analyse: the dry run's lookups (read-only Graph calls); a follow-up (services.followup)
  is then queued at once and started, as if confirmed.
* import_job_run: the confirmed job, resumable.
* import_job_watch: a per-job watchdog that runs later and hands the job to a new worker if the one
  running it died (lease expired), so an unattended job still finishes.
Every import task first resumes other stalled jobs (`jobs_resume`).

This module is the only place that enqueues: services never import it. They say what needs a
worker (`jobs.jobs_recover` returns the jobs it handed on), and the views and tasks here enqueue.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from portal.core.localisation import language_supported
from portal.imports.models import ImportJob
from portal.imports.services import followup, jobs
from portal.imports.services.analysis import job_analyse
from portal.imports.services.runner import job_run


def _summary(job: ImportJob | None, job_id: int) -> dict[str, Any]:
    if job is None:
        return {"job": job_id, "status": "not_claimed"}
    return {"job": str(job.public_id), "status": job.status, **job.results}


def _uploader_language(job_id: int) -> str:
    """The language the job's rows are described in: the one its uploader last used on the portal
    (the row verdicts are kept as text, written once, when the worker checks or sends the row)."""
    job = ImportJob.objects.filter(pk=job_id).select_related("created_by").first()
    language = job.created_by.language if job is not None and job.created_by is not None else ""
    return language_supported(language) or settings.LANGUAGE_CODE


@task()
def import_job_analyse(job_id: int) -> dict[str, Any]:
    jobs_resume()
    with translation.override(_uploader_language(job_id)):
        job = job_analyse(job_id, owner=jobs.worker_name())
        if job is not None and job.follow_up_of_id is not None:
            # A follow-up's button was its confirmation: on to the assignments.
            queued = followup.followup_confirm(job=job)
            if queued is not None and queued.status == ImportJob.Status.QUEUED:
                job_start(queued.pk)
                job = queued
        return _summary(job, job_id)


@task()
def import_job_run(job_id: int) -> dict[str, Any]:
    jobs_resume()
    with translation.override(_uploader_language(job_id)):
        return _summary(job_run(job_id, owner=jobs.worker_name()), job_id)


@task()
def import_job_watch(job_id: int) -> str:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return "finished"
    jobs_resume()
    watch_later(job_id)
    return "watching"


def watch_later(job_id: int) -> None:
    """Look at the job again after two lease periods."""
    when = timezone.now() + timedelta(seconds=2 * jobs.lease_seconds())
    import_job_watch.using(run_after=when).enqueue(job_id)


def job_analyse_later(job_id: int) -> None:
    """The dry run of a staged file, on a worker."""
    import_job_analyse.enqueue(job_id)


def job_start(job_id: int) -> None:
    """A confirmed job, on a worker, with its watchdog."""
    import_job_run.enqueue(job_id)
    watch_later(job_id)


def jobs_resume() -> list[int]:
    """Hand jobs whose worker died to a new worker (see `jobs.jobs_recover`); returns their ids."""
    handed_on = jobs.jobs_recover()
    for job_id, status in handed_on:
        if status == ImportJob.Status.QUEUED:
            import_job_run.enqueue(job_id)
        else:
            import_job_analyse.enqueue(job_id)
    return [job_id for job_id, _ in handed_on]
