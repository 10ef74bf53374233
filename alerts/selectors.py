"""Reads of alerts: a user sees the alerts they receive."""

from alerts.models import Alert, AlertStatus


def alerts_for(user, *, status: str | None = None, kind: str | None = None):
    alerts = Alert.objects.filter(alertrecipient__user=user).select_related("case")
    if status:
        alerts = alerts.filter(status=status)
    if kind:
        alerts = alerts.filter(kind=kind)
    return alerts


def unread_count(user) -> int:
    return Alert.objects.filter(alertrecipient__user=user, status=AlertStatus.NEW).count()
