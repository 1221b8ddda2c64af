"""Reads of searches and their results, always scoped to the user who owns them."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from influencer_platform.errors import NotFoundError

from .models import JobCreator, ScrapingJob


def job_list(*, user: User) -> QuerySet[ScrapingJob]:
    return ScrapingJob.objects.filter(user=user)


def job_get(*, user: User, job_id: int) -> ScrapingJob:
    job = job_list(user=user).filter(pk=job_id).first()
    if job is None:
        raise NotFoundError("No such search.")
    return job


def job_results(*, user: User, job_id: int) -> QuerySet[JobCreator]:
    job = job_get(user=user, job_id=job_id)
    return JobCreator.objects.filter(job=job).select_related("creator").order_by("rank")
