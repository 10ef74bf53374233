"""Raising and clearing alerts. Raising is idempotent on the alert's key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from alerts.models import Alert, AlertRecipient, AlertStatus
from cases.permissions import restricted_readers


def through_restriction(pairs) -> list[tuple[int, int]]:
    """Of ``(case id or None, user id)`` pairs, those where the user may read an alert about the
    case: an alert about a restricted case reaches only those who see it (a fixed number of queries)."""
    pairs = list(pairs)
    readers = restricted_readers({case_id for case_id, _ in pairs if case_id is not None})
    return [(case_id, user_id) for case_id, user_id in pairs if case_id not in readers or user_id in readers[case_id]]


@transaction.atomic
def alert_raise(*, key: str, kind: str, title: str, recipients, case=None, month: dt.date | None = None,
                link: str = "", due_on: dt.date | None = None) -> Alert:
    """Create the alert for ``key`` or, if it exists, reopen it when resolved and add any new recipients.

    ``title`` must name the case by reference number only, never a child's name."""
    alert, created = Alert.objects.get_or_create(
        key=key, defaults={"kind": kind, "title": title, "case": case, "month": month, "link": link,
                           "due_on": due_on},
    )
    if not created and alert.status == AlertStatus.RESOLVED:
        Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.NEW, resolved_at=None, title=title,
                                                 acknowledged_at=None, acknowledged_by=None)
        alert.refresh_from_db()
    users = {u.pk: u for u in recipients if u is not None}
    if case is not None and not case.restricted:  # the common case, known without a query
        allowed = [(case.pk, pk) for pk in users]
    else:
        allowed = through_restriction((alert.case_id, pk) for pk in users)
    AlertRecipient.objects.bulk_create([AlertRecipient(alert=alert, user=users[pk]) for _, pk in allowed],
                                       ignore_conflicts=True)
    return alert


def alert_resolve(*, key: str) -> bool:
    """Resolve the alert for ``key`` if it is open; True when one was resolved."""
    return bool(Alert.objects.filter(key=key).exclude(status=AlertStatus.RESOLVED)
                .update(status=AlertStatus.RESOLVED, resolved_at=timezone.now()))


@transaction.atomic
def alert_acknowledge(*, user, alert: Alert) -> Alert:
    """Acknowledge an alert the user received (answers False-y 404 upstream when not a recipient)."""
    if not AlertRecipient.objects.filter(alert=alert, user=user).exists():
        raise PermissionError("Only a recipient can acknowledge this alert.")
    updated = Alert.objects.filter(pk=alert.pk, status=AlertStatus.NEW).update(
        status=AlertStatus.ACKNOWLEDGED, acknowledged_at=timezone.now(), acknowledged_by=user)
    if updated:
        alert.refresh_from_db()
    return alert


def alerts_acknowledge(*, user, alerts) -> int:
    """Acknowledge, in one update, those of ``alerts`` (a queryset) the user received that are new."""
    mine = AlertRecipient.objects.filter(user=user).values("alert_id")
    return Alert.objects.filter(pk__in=alerts.order_by().values("pk"), status=AlertStatus.NEW).filter(
        pk__in=mine).update(status=AlertStatus.ACKNOWLEDGED, acknowledged_at=timezone.now(), acknowledged_by=user)


@dataclass(frozen=True)
class AlertSpec:
    """One alert to raise in bulk; ``recipient_ids`` are user ids."""

    key: str
    kind: str
    title: str
    recipient_ids: tuple[int, ...]
    case_id: int | None = None
    month: dt.date | None = None
    link: str = ""
    due_on: dt.date | None = None


def alerts_raise_many(specs: list[AlertSpec]) -> int:
    """Raise many alerts with a fixed number of queries: insert the new ones (the unique
    key makes a repeat a no-op), reopen resolved ones, and add missing recipients.
    Returns how many alerts are new."""
    if not specs:
        return 0
    keys = [s.key for s in specs]
    with transaction.atomic():
        existing = set(Alert.objects.filter(key__in=keys).values_list("key", flat=True))
        Alert.objects.bulk_create(
            [Alert(key=s.key, kind=s.kind, title=s.title, case_id=s.case_id, month=s.month, link=s.link,
                   due_on=s.due_on) for s in specs if s.key not in existing],
            batch_size=2000, ignore_conflicts=True,
        )
        Alert.objects.filter(key__in=keys, status=AlertStatus.RESOLVED).update(
            status=AlertStatus.NEW, resolved_at=None, acknowledged_at=None, acknowledged_by=None)
        ids = dict(Alert.objects.filter(key__in=keys).values_list("key", "pk"))
        allowed = set(through_restriction((s.case_id, u) for s in specs for u in set(s.recipient_ids)))
        AlertRecipient.objects.bulk_create(
            [AlertRecipient(alert_id=ids[s.key], user_id=u) for s in specs for u in set(s.recipient_ids)
             if (s.case_id, u) in allowed],
            batch_size=5000, ignore_conflicts=True,
        )
    return len(set(keys) - existing)


def alerts_resolve_many(keys) -> int:
    keys = list(keys)
    if not keys:
        return 0
    return Alert.objects.filter(key__in=keys).exclude(status=AlertStatus.RESOLVED).update(
        status=AlertStatus.RESOLVED, resolved_at=timezone.now())
