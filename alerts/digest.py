"""The daily e-mail digest: one message per person listing their new alerts, naming
cases by reference number only (never a child's name)."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from alerts.models import AlertRecipient, AlertStatus
from alerts.services import through_restriction


def digests_send(*, base_url: str = "") -> int:
    """E-mail every person their new alerts not yet e-mailed; returns messages sent."""
    rows = list(
        AlertRecipient.objects.filter(emailed_at__isnull=True, alert__status=AlertStatus.NEW, user__is_active=True)
        .exclude(user__email="")
        .select_related("alert", "user")
        .order_by("user_id", "alert__kind", "alert__created_at")
    )
    # Not about a restricted case the person no longer sees (restricted after the alert was raised).
    allowed = set(through_restriction((row.alert.case_id, row.user_id) for row in rows))
    by_user = defaultdict(list)
    for row in rows:
        if (row.alert.case_id, row.user_id) in allowed:
            by_user[row.user].append(row)
    messages = []
    for user, items in by_user.items():
        body = render_to_string("alerts/digest.txt", {"user": user, "alerts": [i.alert for i in items],
                                                      "base_url": base_url or settings.SITE_URL})
        messages.append(EmailMessage(subject=f"Casework: {len(items)} new alert{'s' if len(items) != 1 else ''}",
                                     body=body, to=[user.email]))
    if not messages:
        return 0
    with transaction.atomic():
        get_connection().send_messages(messages)
        AlertRecipient.objects.filter(pk__in=[r.pk for r in rows]).update(emailed_at=timezone.now())
    return len(messages)
