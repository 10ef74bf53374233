"""Celery tasks of the services app: they hold no logic, they call a service.

Schedule (django-celery-beat, stored in the database and editable in the admin):
``services.tasks.provider_updates_check`` daily at 06:30 agency time (crontab ``30 6 * * *``),
so a missing provider update is on the caseworker's alert list at the start of the day.
The periodic task row is created by ``services/migrations/0003_schedule_provider_updates_check.py``.
"""

from celery import shared_task

from services import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5,
             soft_time_limit=300, time_limit=360)
def provider_updates_check() -> int:
    """Raise an alert for each active referral whose provider update is overdue (idempotent)."""
    return services.provider_updates_check()
