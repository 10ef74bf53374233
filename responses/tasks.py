"""Celery tasks of the responses app: they hold no logic, they call a service.

``due_dates_check`` runs daily (see casework/schedule.py) before the alert digest."""

from celery import shared_task

from responses import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5,
             soft_time_limit=600, time_limit=660)
def due_dates_check() -> dict:
    """Alert overdue record-alert reviews, response steps, safety plans and case reviews (idempotent)."""
    return services.due_dates_check()
