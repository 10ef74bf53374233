"""Celery tasks of case plans: no logic of their own, they call a service.

Schedule (casework/schedule.py): ``plan_timeframes_check`` daily at 05:45 (crontab ``45 5 * * *``),
before the 06:30 alert digest, so plans due or overdue are on the lists at the start of the day."""

from celery import shared_task

from caseplans import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5,
             soft_time_limit=300, time_limit=360)
def plan_timeframes_check() -> int:
    """Raise (and resolve) the case plan timeframe alerts for every open case; idempotent."""
    return services.plan_timeframes_check()
