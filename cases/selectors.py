"""Reads of case records. Each takes the user first and starts from the
permission-filtered queryset; each page costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cases.models import (
    RISK_LEVEL_TOOLS,
    Allocation,
    Case,
    CaseMember,
    ChildGoal,
    LegalStatus,
    LivingArrangement,
    MemberRole,
    RiskAssessment,
    Role,
)
from cases import extensions
from cases.permissions import visible_cases


def _current_members(on: dt.date) -> Q:
    return Q(joined_on__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gte=on))


def latest_risk_level_subquery(on: dt.date | None = None):
    """The outcome of the latest risk-level assessment of the outer case (completed by ``on``)."""
    assessments = RiskAssessment.objects.filter(case=OuterRef("pk"), tool__in=RISK_LEVEL_TOOLS)
    if on is not None:
        assessments = assessments.filter(completed_on__lte=on)
    return Subquery(assessments.order_by("-completed_on", "-id").values("risk_level")[:1])


def case_list(user, *, search: str = "", scope: str = "", include_closed: bool = False) -> QuerySet:
    """Cases for "My cases", a team's or an office's list, with what each row shows."""
    today = timezone.localdate()
    cases = visible_cases(user)
    if scope == "mine":
        cases = cases.filter(caseworker=user)
    if not include_closed:
        cases = cases.open()
    search = search.strip()
    if search:
        name_match = CaseMember.objects.filter(case=OuterRef("pk")).filter(
            Q(person__given_name__icontains=search)
            | Q(person__family_name__icontains=search)
            | Q(person__preferred_name__icontains=search)
        )
        cases = cases.filter(Q(reference__icontains=search) | Exists(name_match))
    children = CaseMember.objects.filter(_current_members(today), role=MemberRole.CHILD).select_related("person")
    statuses = LegalStatus.objects.on(today)
    cases = extensions.annotate_case_list(cases)
    return (
        cases.select_related("team__office", "caseworker")
        .annotate(risk_level=latest_risk_level_subquery())
        .prefetch_related(
            Prefetch("members", queryset=children.prefetch_related(
                Prefetch("legal_statuses", queryset=statuses, to_attr="current_legal_statuses")
            ), to_attr="current_children"),
        )
        .order_by("reference")
    )


def default_scope(user) -> str:
    """Caseworkers start on their own cases; leaders and managers on everything they oversee."""
    return "mine" if user.role in (Role.CASEWORKER, Role.SUPPORT_OFFICER) else ""


def case_detail(user, reference: str) -> Case | None:
    """One case with its members, per-child facts, risk and allocation history."""
    members = CaseMember.objects.select_related("person").prefetch_related(
        "person__addresses",
        Prefetch("legal_statuses", queryset=LegalStatus.objects.order_by("-effective_from")),
        Prefetch("goals", queryset=ChildGoal.objects.order_by("-effective_from")),
        Prefetch("living_arrangements",
                 queryset=LivingArrangement.objects.select_related("with_person").order_by("-effective_from")),
    )
    return (
        visible_cases(user)
        .select_related("team__office", "caseworker")
        .annotate(risk_level=latest_risk_level_subquery())
        .prefetch_related(
            Prefetch("members", queryset=members),
            Prefetch("risk_assessments", queryset=RiskAssessment.objects.select_related("approved_by")),
            Prefetch("allocations", queryset=Allocation.objects.select_related("caseworker", "team", "allocated_by")),
        )
        .filter(reference=reference)
        .first()
    )


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    record: str
    action: str
    changes: list[str] = field(default_factory=list)


_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def case_record_history(case: Case, limit: int = 100) -> list[HistoryEntry]:
    """Who changed what on this case's records and when, newest first (one query per record type)."""
    member_ids = [m.pk for m in case.members.all()]
    sources = [
        ("Case", Case.history.filter(id=case.pk)),
        ("Member", CaseMember.history.filter(case_id=case.pk)),
        ("Legal status", LegalStatus.history.filter(member_id__in=member_ids)),
        ("Case plan goal", ChildGoal.history.filter(member_id__in=member_ids)),
        ("Living arrangement", LivingArrangement.history.filter(member_id__in=member_ids)),
        ("Risk assessment", RiskAssessment.history.filter(case_id=case.pk)),
        ("Allocation", Allocation.history.filter(case_id=case.pk)),
    ]
    entries: list[HistoryEntry] = []
    for label, rows in sources:
        rows = list(rows.select_related("history_user").order_by("id", "history_date", "history_id")[: limit * 5])
        previous = {}
        for row in rows:
            fields = [f.attname for f in row.instance_type._meta.concrete_fields]
            before = previous.get(row.id)
            changes = []
            if before is not None:
                for name in fields:
                    old, new = getattr(before, name), getattr(row, name)
                    if old != new:
                        changes.append(f"{name.replace('_id', '').replace('_', ' ')}: {old or '—'} → {new or '—'}")
            previous[row.id] = row
            who = str(row.history_user) if row.history_user else "system"
            entries.append(HistoryEntry(row.history_date, who, f"{label} #{row.id}", _ACTIONS[row.history_type],
                                        changes))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
