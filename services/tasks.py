"""Celery tasks of the services app: they hold no logic, they call a service.

Schedule: ``provider_updates_check`` is meant to run daily at 06:00 agency time (crontab
``0 6 * * *``), before the alert digest, so a missing provider update is on the caseworker's
alert list at the start of the day. The one schedule definition is ``casework/schedule.py``
(owned by the scheduler work); the entry there is still to be added.
"""

from celery import shared_task

from services import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5,
             soft_time_limit=300, time_limit=360)
def provider_updates_check() -> int:
    """Raise an alert for each active referral whose provider update is overdue (idempotent)."""
    return services.provider_updates_check()
