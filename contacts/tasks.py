"""Celery tasks of the contacts app: they take ids, load, and call a service."""

import datetime as dt

from celery import shared_task
from django.contrib.auth import get_user_model

from cases.models import Case
from contacts.services import case_months_recompute


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def recompute_case_months(case_id: int, months: list[str], by_user_id: int | None = None) -> int:
    """Recompute the stored evaluation of one case for the given months (ISO dates).
    Idempotent: the result is an upsert on (case, month)."""
    by = get_user_model().objects.filter(pk=by_user_id).first() if by_user_id else None
    cases = Case.objects.filter(pk=case_id)
    for month in months:
        case_months_recompute(cases=cases, month=dt.date.fromisoformat(month), by=by)
    return len(months)
