"""Celery tasks of the cases app: they hold no logic, they call a service.

Schedule (``casework/schedule.py``): ``access_log_purge`` daily at 04:00 agency time."""

from celery import shared_task
from django.utils import timezone

from cases import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5,
             soft_time_limit=600, time_limit=660)
def access_log_purge() -> int:
    """Delete looks past the retention period (idempotent: a second run finds none)."""
    return services.access_log_purge(now=timezone.now())
