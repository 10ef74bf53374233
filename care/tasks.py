"""Celery tasks of the care app: no logic of their own, they call a service.

Schedule (casework/schedule.py): ``family_time_reviews_check`` daily at 05:50 (crontab
``50 5 * * *``), before the 06:30 alert digest, so overdue reviews are in the morning's digest."""

from celery import shared_task

from care import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5,
             soft_time_limit=300, time_limit=360)
def family_time_reviews_check() -> int:
    """Raise (and resolve) the overdue family-time review alerts; idempotent."""
    return services.family_time_reviews_check()
