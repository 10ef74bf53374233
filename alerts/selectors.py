"""Reads of alerts: a user sees the alerts they receive, except those about a restricted case
they may not see (one restricted after the alert was raised)."""

from django.db.models import Count, Q

from alerts.models import Alert, AlertKind, AlertStatus
from cases.permissions import visible_cases


def _readable(user) -> Q:
    return Q(case__isnull=True) | Q(case__restricted=False) | Q(case__in=visible_cases(user).values("pk"))


def alerts_for(user, *, status: str | None = None, kind: str | None = None):
    alerts = Alert.objects.filter(_readable(user), alertrecipient__user=user).select_related("case")
    if status:
        alerts = alerts.filter(status=status)
    if kind:
        alerts = alerts.filter(kind=kind)
    return alerts


def unread_count(user) -> int:
    return Alert.objects.filter(_readable(user), alertrecipient__user=user, status=AlertStatus.NEW).count()


def kind_counts(user, *, status: str | None = None) -> list[tuple[str, str, int]]:
    """(kind, label, how many) of the user's alerts with ``status``, largest group first (one query)."""
    rows = (alerts_for(user, status=status).order_by().values("kind").annotate(n=Count("pk", distinct=True))
            .values_list("kind", "n"))
    labels = dict(AlertKind.choices)
    return sorted(((kind, labels.get(kind, kind), n) for kind, n in rows), key=lambda row: (-row[2], row[1]))
