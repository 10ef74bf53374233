"""Demo record alerts: a few worker-safety warnings, inserted in bulk."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def seed(agency, cases, *, scale):
    from responses.models import AlertCategory, AlertSeverity, RecordAlert

    today = timezone.localdate()
    alerts = [
        RecordAlert(case=case, category=AlertCategory.WORKER_SAFETY, severity=AlertSeverity.HIGH,
                    details="Dog on the property; visit in pairs.", starts_on=today - dt.timedelta(days=30),
                    review_on=today + dt.timedelta(days=60), recorded_by=case.caseworker)
        for case in list(cases)[::10]
    ]
    RecordAlert.objects.bulk_create(alerts, batch_size=2000)
