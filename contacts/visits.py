"""Writes of planned visits: plan one from what a case still needs, reschedule or cancel it
with a reason (kept in the visit's ``changes``), find the ones missed, and the worker's
secret calendar address. Each write checks access through cases.permissions and raises
CaseworkError with a human message; time comes from the caller."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases import extensions
from cases.models import Case, CaseMember
from cases.permissions import Action, require
from cases.services import CaseworkError
from contacts.models import CalendarFeed, ScheduledVisit, VisitPlace, VisitStatus

# States a visit may still be moved or cancelled from (a missed one may be set again).
OPEN_STATES = (VisitStatus.PLANNED, VisitStatus.MISSED)


def _moment_label(day: dt.date, time: dt.time | None) -> str:
    return f"{day:%Y-%m-%d}" + (f" {time:%H:%M}" if time else "")


def _check_when(day: dt.date, today: dt.date) -> None:
    if day < today:
        raise CaseworkError("A visit is planned for today or a later day, not a day that has passed.")


def _change(user, now: dt.datetime, kind: str, reason: str, **more) -> dict:
    return {"kind": kind, "at": now.isoformat(), "by": user.pk, "by_name": str(user), "reason": reason, **more}


@transaction.atomic
def visit_plan(*, user, case: Case, day: dt.date, time: dt.time | None, members: list[CaseMember],
               place: str, place_details: str = "", purpose: str = "", requirement: str = "",
               now: dt.datetime | None = None) -> ScheduledVisit:
    """Plan a visit of ``case`` with ``members`` (members of this case, resolved through
    cases.permissions.records_in_case by the form or serializer)."""
    require(user, Action.EDIT, case)
    now = now or timezone.now()
    _check_when(day, timezone.localtime(now).date())
    if place not in VisitPlace.values:
        raise CaseworkError("Choose where the visit will be: at home or another place.")
    if place == VisitPlace.OTHER and not place_details.strip():
        raise CaseworkError("Say which other place (e.g. the school, the office).")
    if not members:
        raise CaseworkError("Choose whom the visit is with.")
    if any(m.case_id != case.pk for m in members):
        raise CaseworkError("The visit can only be with members of this case.")
    gone = [m for m in members if m.left_on is not None and m.left_on < day]
    if gone:
        raise CaseworkError("Someone chosen has left the case before that day.")
    visit = ScheduledVisit.objects.create(
        case=case, scheduled_for=day, scheduled_time=time, place=place, place_details=place_details.strip(),
        purpose=purpose.strip(), requirement=requirement[:40], planned_by=user, planned_at=now)
    visit.members.set(members)
    _recompute_this_month(case, [day], now)
    return visit


def _open_visit(visit: ScheduledVisit) -> ScheduledVisit:
    locked = ScheduledVisit.objects.select_for_update().get(pk=visit.pk)
    if locked.status not in OPEN_STATES:
        raise CaseworkError(f"This visit is {locked.get_status_display().lower()}: it can no longer be changed.")
    return locked


@transaction.atomic
def visit_reschedule(*, user, visit: ScheduledVisit, day: dt.date, time: dt.time | None, reason: str,
                     now: dt.datetime | None = None) -> ScheduledVisit:
    """Move a planned (or missed) visit to another day or time; the move and why are kept."""
    require(user, Action.EDIT, visit.case)
    now = now or timezone.now()
    if not reason.strip():
        raise CaseworkError("Give the reason for moving the visit.")
    _check_when(day, timezone.localtime(now).date())
    locked = _open_visit(visit)
    if (locked.scheduled_for, locked.scheduled_time) == (day, time) and locked.status == VisitStatus.PLANNED:
        raise CaseworkError("The visit is already planned for that day and time.")
    before = locked.scheduled_for
    locked.changes = [*locked.changes, _change(user, now, "rescheduled", reason.strip()[:200],
                                               **{"from": _moment_label(before, locked.scheduled_time),
                                                  "to": _moment_label(day, time)})]
    locked.scheduled_for, locked.scheduled_time = day, time
    locked.status, locked.missed_on = VisitStatus.PLANNED, None
    locked.save()
    _recompute_this_month(locked.case, [before, day], now)
    return locked


@transaction.atomic
def visit_cancel(*, user, visit: ScheduledVisit, reason: str, now: dt.datetime | None = None) -> ScheduledVisit:
    """Cancel a planned (or missed) visit; the reason is kept."""
    require(user, Action.EDIT, visit.case)
    now = now or timezone.now()
    if not reason.strip():
        raise CaseworkError("Give the reason for cancelling the visit.")
    locked = _open_visit(visit)
    locked.changes = [*locked.changes, _change(user, now, "cancelled", reason.strip()[:200])]
    locked.status, locked.cancelled_reason = VisitStatus.CANCELLED, reason.strip()[:200]
    locked.save()
    _recompute_this_month(locked.case, [locked.scheduled_for], now)
    return locked


def visits_mark_missed(*, today: dt.date) -> int:
    """Mark missed every planned visit whose day (agency time) is before ``today``: no
    face-to-face contact was recorded for it (recording one marks it done). Idempotent: a
    conditional UPDATE, so a second run, or two at once, change nothing more. Pages and the
    recompute already read such a visit as missed (``with_state``), so this only records it."""
    return ScheduledVisit.objects.filter(status=VisitStatus.PLANNED, scheduled_for__lt=today).update(
        status=VisitStatus.MISSED, missed_on=today)


def _recompute_this_month(case: Case, days, now: dt.datetime) -> None:
    """Whether a visit is planned or missed changes this month's "at risk" (see rules.at_risk):
    told through the one path every changed fact takes (a pending recompute of this month)."""
    today = timezone.localtime(now).date()
    if any(d.year == today.year and d.month == today.month for d in days):
        extensions.facts_changed(case_id=case.pk, since=today)


# --- The calendar address ----------------------------------------------------------------------

@transaction.atomic
def calendar_feed_regenerate(*, user, now: dt.datetime | None = None) -> CalendarFeed:
    """A new secret address for ``user``'s calendar: the old one stops working at once."""
    feed, _ = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32), "created_at": now or timezone.now()})
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user) -> bool:
    """Stop ``user``'s calendar address; True if there was one."""
    deleted, _ = CalendarFeed.objects.filter(Q(user=user)).delete()
    return bool(deleted)
