"""The one definition of Casework's periodic work. `manage.py sync_schedule` writes it to
django-celery-beat's tables (run by `make run` and before `celery beat` starts), where
administrators can then adjust times in the admin; existing edits to a time are kept."""

from django.conf import settings

# name → (task, crontab fields). Times are agency time (CELERY_TIMEZONE = TIME_ZONE).
SCHEDULE = {
    # 02:00 every day: recompute the current month for all open cases, warn about at-risk cases.
    "Nightly compliance recompute": ("contacts.tasks.nightly_compliance",
                                     {"minute": "0", "hour": str(settings.NIGHTLY_COMPLIANCE_HOUR)}),
    # 02:30 every day: close the month whose grace period ended (frozen result, shortfall alerts).
    "Close months after the grace period": ("contacts.tasks.close_due_months",
                                            {"minute": "30", "hour": str(settings.NIGHTLY_COMPLIANCE_HOUR)}),
    # Every 15 minutes: send again the chunks of runs that made no progress (their worker was
    # lost, or their publish failed), and mark failed the runs that cannot finish.
    "Watch compliance runs": ("contacts.tasks.runs_watch", {"minute": "*/15", "hour": "*"}),
    # 00:15 every day: mark missed the planned visits of the day before with no contact recorded
    # (before the nightly recompute, which counts a missed visit as "at risk").
    "Mark missed planned visits": ("contacts.tasks.planned_visits_mark_missed", {"minute": "15", "hour": "0"}),
    # 03:00 every day: escalate unacknowledged shortfall alerts to managers.
    "Escalate old shortfall alerts": ("contacts.tasks.escalate_shortfalls", {"minute": "0", "hour": "3"}),
    # 06:00 every day: alert caseworkers to provider updates that are overdue under a communication plan.
    "Provider update check": ("services.tasks.provider_updates_check", {"minute": "0", "hour": "6"}),
    # 06:15 every day: alert overdue record-alert reviews, response steps, safety plans and case reviews.
    "Responses due dates check": ("responses.tasks.due_dates_check", {"minute": "15", "hour": "6"}),
    # 05:45 every day: alert case plans due soon or overdue (first plan, review) and overdue plan actions.
    "Case plan timeframes": ("caseplans.tasks.plan_timeframes_check", {"minute": "45", "hour": "5"}),
    # 05:50 every day: alert caseworkers and team leaders to family-time reviews that are overdue.
    "Family time reviews check": ("care.tasks.family_time_reviews_check", {"minute": "50", "hour": "5"}),
    # 04:00 every day: delete access-log looks older than ACCESS_LOG_RETENTION_DAYS, in batches.
    "Access log retention": ("cases.tasks.access_log_purge", {"minute": "0", "hour": "4"}),
    # 06:30 every day: e-mail each person a digest of their new alerts.
    "Daily alert digest": ("alerts.tasks.send_daily_digests", {"minute": "30", "hour": "6"}),
}
