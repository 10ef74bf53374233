"""Reads of contacts and of the stored evaluation, starting from what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from cases.models import Allocation, Attachment, Case, CaseMember, RiskAssessment
from cases.permissions import Action, led_team_ids, require, visible_cases
from contacts import rules
from contacts.models import (
    CaseMonth,
    ComplianceRun,
    Contact,
    ContactDraft,
    ContactParticipant,
    PendingRecompute,
    RequestStatus,
    RequirementChange,
    RunChunk,
    ScheduledVisit,
    VisitStatus,
)


def contact_for(user, pk: int, action: Action = Action.VIEW) -> Contact:
    """A contact of a case the user may see (404 otherwise)."""
    contact = get_object_or_404(
        Contact.objects.filter(case__in=visible_cases(user)).select_related(
            "case__team", "made_by", "provider", "author", "location_person"),
        pk=pk)
    require(user, action, contact.case)
    return contact


def contacts_with_people():
    return Contact.objects.select_related("made_by", "provider", "author", "location_person").prefetch_related(
        Prefetch("participants", queryset=ContactParticipant.objects.select_related("member__person")
                 .order_by("member__role", "member_id")),
        "addenda__author", "corrections__corrected_by",
    )


def month_result(case: Case, month: dt.date) -> CaseMonth | None:
    return CaseMonth.objects.filter(case=case, month=rules.month_start(month)).first()


def contacts_of_result(result: CaseMonth | None) -> dict[int, Contact]:
    """The contacts a stored result names (counted, missed, not counted), by id, with who
    took part, where and by whom: the month's explanation in a fixed number of queries."""
    if result is None:
        return {}
    ids = {i for line in result.lines or () for i in line.get("counted", ())}
    ids |= {i for line in result.lines or () for i, _ in line.get("missed", ())}
    ids |= {i for i, _ in result.not_counted or ()}
    ids |= {i for line in getattr(result, "separate_lines", None) or () for i in line.get("counted", ())}
    return {c.pk: c for c in contacts_with_people().filter(case_id=result.case_id, pk__in=ids)}


def closed_months_among(case: Case, days) -> list[dt.date]:
    """The closed months (first days) of ``case`` that any of ``days`` falls in."""
    months = {rules.month_start(day) for day in days}
    return sorted(CaseMonth.objects.filter(case=case, month__in=months, closed_at__isnull=False)
                  .values_list("month", flat=True))


def ensure_month_result(case: Case, month: dt.date) -> CaseMonth:
    """The stored result for a case-month, computed now if it has never been."""
    from contacts.recompute import case_months_recompute

    result = month_result(case, month)
    if result is None:
        case_months_recompute(cases=Case.objects.filter(pk=case.pk), month=month)
        result = month_result(case, month)
    return result


def recent_results(case: Case, months: int = 12) -> list[CaseMonth]:
    since = rules.add_months(timezone.localdate().replace(day=1), -months)
    return list(CaseMonth.objects.filter(case=case, month__gte=since).order_by("-month"))


@dataclass
class TimelineEntry:
    when: dt.datetime
    kind: str
    title: str
    contact: Contact | None = None
    detail: str = ""
    url: str = ""  # a page of its own (an attached document)
    withdrawn: bool = False


TIMELINE_KINDS = [("face_to_face", "Face-to-face"), ("support", "Support contacts"), ("other", "Other contacts"),
                  ("note", "Case notes"), ("event", "Events"), ("document", "Documents")]


def case_timeline(user, case: Case, *, kind: str = "", member_id: int | None = None) -> list[TimelineEntry]:
    """Contacts, notes and case events, newest first (fixed queries). Drafts are not records:
    they are on "My drafts" and offered on the contact form, never on the timeline."""
    tz = timezone.get_current_timezone()

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz)

    entries: list[TimelineEntry] = []
    contacts = contacts_with_people().filter(case=case)
    if kind and kind != "event":
        contacts = contacts.filter(kind=kind)
    if member_id:
        contacts = contacts.filter(participants__member_id=member_id)
    if kind not in ("event", "document"):
        for contact in contacts:
            entries.append(TimelineEntry(contact.occurred_at, contact.kind, contact.get_kind_display(), contact))
    if kind in ("", "event") and not member_id:
        for a in RiskAssessment.objects.filter(case=case):
            entries.append(TimelineEntry(at(a.completed_on), "event", f"{a.get_tool_display()} completed",
                                         detail=f"Risk level: {a.get_risk_level_display()}"))
        for a in Allocation.objects.filter(case=case).select_related("caseworker"):
            entries.append(TimelineEntry(at(a.started_on), "event", f"Allocated to {a.caseworker}", detail=a.reason))
        for r in RequirementChange.objects.filter(case=case).select_related("requested_by", "decided_by"):
            entries.append(TimelineEntry(r.requested_at, "event", f"{r.get_kind_display()} requested",
                                         detail=f"{r.get_status_display()}"
                                                + (f" by {r.decided_by}" if r.decided_by else "")))
    if kind in ("", "document") and not member_id:
        for a in Attachment.objects.filter(case=case).select_related("uploaded_by"):
            entries.append(TimelineEntry(a.uploaded_at, "document", f"Document attached: {a.title}",
                                         detail=f"{a.get_target_kind_display()} · {a.uploaded_by}",
                                         url=reverse("cases:attachment_detail", args=[case.reference, a.pk]),
                                         withdrawn=a.withdrawn))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def contact_by_idempotency_key(user, key):
    """The contact ``user`` recorded with ``key``, whether or not its case is still visible
    to them (the caller says which); None when the key is new."""
    return Contact.objects.filter(author=user, idempotency_key=key).first()


def my_drafts(user):
    return ContactDraft.objects.filter(author=user, case__in=visible_cases(user)).select_related("case")


def upcoming_visits(user, *, days: int = 14):
    """Planned visits on cases allocated to the user, overdue ones first."""
    until = timezone.localdate() + dt.timedelta(days=days)
    return (ScheduledVisit.objects.filter(case__in=visible_cases(user).filter(caseworker=user),
                                          status=VisitStatus.PLANNED, scheduled_for__lte=until)
            .select_related("case").order_by("scheduled_for"))


def approvals_queue(user):
    """Pending override and increase requests for the teams the user leads."""
    return (RequirementChange.objects.filter(status=RequestStatus.PENDING, case__team_id__in=led_team_ids(user))
            .select_related("case", "requested_by").order_by("requested_at"))


def requests_for_case(case: Case):
    return RequirementChange.objects.filter(case=case).select_related("requested_by", "decided_by")


def annotate_contact_status(cases):
    """For case lists: this month's stored status and the next planned visit (set-based)."""
    month = timezone.localdate().replace(day=1)
    return cases.annotate(
        contact_status=Subquery(CaseMonth.objects.filter(case=OuterRef("pk"), month=month).values("status")[:1]),
        next_visit_on=Subquery(ScheduledVisit.objects.filter(case=OuterRef("pk"), status=VisitStatus.PLANNED)
                               .order_by().values("case").annotate(first=Min("scheduled_for")).values("first")[:1]),
    )


def members_by_id(case: Case) -> dict[int, CaseMember]:
    return {m.pk: m for m in CaseMember.objects.filter(case=case).select_related("person")}


def pending_requests_exist(case: Case) -> bool:
    return RequirementChange.objects.filter(case=case, status=RequestStatus.PENDING).exists()


# --- Scheduler runs (administrators only; the views check who asks) ----------------------

def runs_recent(*, now: dt.datetime, limit: int = 30):
    """The latest runs, each with its state (failed, finished, stuck, running), in one query."""
    # Explicitly ordered: Django leaves Meta.ordering out of a query with aggregates.
    return ComplianceRun.objects.with_progress(now).select_related("triggered_by").order_by("-started_at", "-pk")[:limit]


def recomputes_waiting() -> dict:
    """How many case-months wait for a recompute, and since when."""
    return PendingRecompute.objects.aggregate(count=Count("pk"), oldest=Min("requested_at"))


def run_with_chunks(pk: int, *, now: dt.datetime) -> ComplianceRun:
    """One run with its state and its chunks (team names), for the run's page (404 if none)."""
    return get_object_or_404(ComplianceRun.objects.with_progress(now).select_related("triggered_by").prefetch_related(
        Prefetch("chunks", queryset=RunChunk.objects.select_related("team").order_by("team__name"))), pk=pk)
