"""Celery tasks of the alerts app."""

from celery import shared_task

from alerts.digest import digests_send


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError, OSError), retry_backoff=True,
             max_retries=5)
def send_daily_digests() -> int:
    return digests_send()
