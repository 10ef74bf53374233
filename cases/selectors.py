"""Reads of case records. Each takes the user first and starts from the
permission-filtered queryset; each page costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from axes.models import AccessFailureLog, AccessLog
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cases import extensions
from cases.access_log import note_look
from cases.models import (
    RISK_LEVEL_TOOLS,
    Address,
    Allocation,
    Attachment,
    Case,
    CaseLook,
    CaseMember,
    ChildGoal,
    LegalStatus,
    LivingArrangement,
    MemberRole,
    Office,
    Person,
    RestrictedCaseStaff,
    RiskAssessment,
    Role,
    Team,
    User,
)
from cases.permissions import visible_cases, visible_people
from casework.dates import day_label


def _current_members(on: dt.date) -> Q:
    return Q(joined_on__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gte=on))


def latest_risk_level_subquery(on: dt.date | None = None):
    """The outcome of the latest risk-level assessment of the outer case (completed by ``on``)."""
    assessments = RiskAssessment.objects.filter(case=OuterRef("pk"), tool__in=RISK_LEVEL_TOOLS)
    if on is not None:
        assessments = assessments.filter(completed_on__lte=on)
    return Subquery(assessments.order_by("-completed_on", "-id").values("risk_level")[:1])


def _name_matches(word: str, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}given_name__icontains": word}) | Q(**{f"{prefix}family_name__icontains": word})
            | Q(**{f"{prefix}preferred_name__icontains": word}))


def case_list(user, *, search: str = "", scope: str = "", include_closed: bool = False,
              team_id: int | None = None, office_id: int | None = None) -> QuerySet:
    """Cases for "My cases", a team's or an office's list, with what each row shows.

    ``search`` matches the reference number or the names of the case's members; each word
    must match (so "Ava Marlow" finds Ava of the Marlow family), always within what
    ``user`` may see."""
    today = timezone.localdate()
    cases = visible_cases(user)
    if scope == "mine":
        cases = cases.filter(caseworker=user)
    if team_id:
        cases = cases.filter(team_id=team_id)
    if office_id:
        cases = cases.filter(team__office_id=office_id)
    if not include_closed:
        cases = cases.open()
    for word in search.split():
        name_match = CaseMember.objects.filter(_name_matches(word, "person__"), case=OuterRef("pk"))
        cases = cases.filter(Q(reference__icontains=word) | Exists(name_match))
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


def teams_overseen(user) -> QuerySet:
    """Teams whose case lists ``user`` may filter by: a leader's teams, a manager's offices' teams."""
    if user.role == Role.TEAM_LEADER:
        return user.led_teams.select_related("office")
    if user.role == Role.MANAGER:
        return Team.objects.filter(office__in=user.managed_offices.all()).select_related("office")
    return Team.objects.none()


def people_search(user, text: str, *, exclude_case: Case | None = None, limit: int = 20) -> list[Person]:
    """People already recorded in cases ``user`` may see whose names match every word of
    ``text``, each with ``visible_memberships`` (only the cases ``user`` may see)."""
    words = text.split()
    if not words:
        return []
    people = visible_people(user)
    for word in words:
        people = people.filter(_name_matches(word))
    if exclude_case is not None:
        people = people.exclude(memberships__case=exclude_case)
    memberships = CaseMember.objects.filter(case__in=visible_cases(user)).select_related("case").order_by(
        "case__reference")
    return list(people.order_by("family_name", "given_name", "pk").prefetch_related(
        Prefetch("memberships", queryset=memberships, to_attr="visible_memberships"))[:limit])


def other_visible_memberships(user, member: CaseMember) -> list[CaseMember]:
    """The person's memberships of other cases ``user`` may see."""
    return list(CaseMember.objects.filter(person_id=member.person_id, case__in=visible_cases(user))
                .exclude(pk=member.pk).select_related("case").order_by("case__reference"))


def visible_person(user, person_id) -> Person | None:
    return visible_people(user).filter(pk=person_id).first()


def default_scope(user) -> str:
    """Caseworkers start on the cases allocated to them; everyone else — support officers (who
    are never allocated a case), leaders and managers — on everything they may see."""
    return "mine" if user.role == Role.CASEWORKER else ""


def case_detail(user, reference: str) -> Case | None:
    """One case with its members, per-child facts, risk and allocation history."""
    members = CaseMember.objects.select_related("person").prefetch_related(
        "person__addresses",
        Prefetch("legal_statuses", queryset=LegalStatus.objects.order_by("-effective_from")),
        Prefetch("goals", queryset=ChildGoal.objects.order_by("-effective_from")),
        Prefetch("living_arrangements",
                 queryset=LivingArrangement.objects.select_related("with_person").order_by("-effective_from")),
    )
    case = (
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
    note_look(case)
    return case


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    record: str
    action: str
    changes: list[str] = field(default_factory=list)


_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
# Not worth showing: keys, timestamps, and the link to the record's parent (named in the label).
_HIDDEN_FIELDS = {"id", "created_at", "case", "member", "person", "reference"}
# Related records named in a change, resolved with one query per model.
_NAMES = {
    User: lambda ids: {u.pk: str(u) for u in User.objects.filter(pk__in=ids)},
    Team: lambda ids: {t.pk: t.name for t in Team.objects.filter(pk__in=ids)},
    Person: lambda ids: {p.pk: str(p) for p in Person.objects.filter(pk__in=ids)},
}


def _shown(value) -> str:
    if value in (None, ""):
        return "—"
    if value is True or value is False:
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return day_label(value)
    return str(value)


def case_record_history(case: Case, limit: int = 200) -> list[HistoryEntry]:
    """Who changed what on this case's records and when, newest first, with before → after
    values as people read them (choice labels, names, dates). A fixed number of queries:
    one per record type and one per kind of related record named in a change. ``case``
    must come from :func:`case_detail` (members prefetched)."""
    members = list(case.members.all())
    member_names = {m.pk: str(m.person) for m in members}
    person_names = {m.person_id: str(m.person) for m in members}
    person_ids = list(person_names)

    def of_member(what):
        return lambda row: f"{what} of {member_names.get(row.member_id, 'a child')}"

    sources = [
        (Case.history.filter(id=case.pk), lambda row: "Case"),
        (CaseMember.history.filter(case_id=case.pk),
         lambda row: f"Membership of {person_names.get(row.person_id, 'a former member')}"),
        (Person.history.filter(id__in=person_ids), lambda row: f"Details of {row.given_name} {row.family_name}"),
        (Address.history.filter(person_id__in=person_ids),
         lambda row: f"Address of {person_names.get(row.person_id, 'a person')}"),
        (LegalStatus.history.filter(member_id__in=member_names), of_member("Legal status")),
        (ChildGoal.history.filter(member_id__in=member_names), of_member("Case plan goal")),
        (LivingArrangement.history.filter(member_id__in=member_names), of_member("Living arrangement")),
        (RiskAssessment.history.filter(case_id=case.pk), lambda row: "Risk assessment"),
        (Allocation.history.filter(case_id=case.pk), lambda row: "Allocation"),
        (RestrictedCaseStaff.history.filter(case_id=case.pk), lambda row: "Named staff of the restricted case"),
    ]
    raw, wanted = [], {model: set() for model in _NAMES}
    for rows, label in sources:
        previous = {}
        for row in rows.select_related("history_user").order_by("id", "history_date", "history_id"):
            model = row.instance_type
            before = previous.get(row.id)
            previous[row.id] = row
            changes = []
            for model_field in model._meta.concrete_fields:
                if model_field.name in _HIDDEN_FIELDS:
                    continue
                old = getattr(before, model_field.attname) if before is not None else None
                new = getattr(row, model_field.attname)
                if old == new or (before is None and new in (None, "", False)):
                    continue
                changes.append((model_field, old, new))
                related = model_field.related_model if model_field.is_relation else None
                if related in wanted:
                    wanted[related].update(v for v in (old, new) if v is not None)
            raw.append((row, label(row), changes))
    names = {model: _NAMES[model](ids) for model, ids in wanted.items() if ids}

    def display(model_field, value):
        if value is not None and model_field.choices:
            return _shown(dict(model_field.flatchoices).get(value, value))
        if model_field.is_relation and value is not None:
            return names.get(model_field.related_model, {}).get(value, f"#{value}")
        return _shown(value)

    entries = [
        HistoryEntry(
            when=row.history_date,
            who=str(row.history_user) if row.history_user else "system",
            record=record,
            action=_ACTIONS[row.history_type],
            changes=[f"{f.verbose_name}: {display(f, old)} → {display(f, new)}" if row.history_type == "~"
                     else f"{f.verbose_name}: {display(f, new)}" for f, old, new in changes],
        )
        for row, record, changes in raw
    ]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


# --- The access log (issue 12) ---------------------------------------------------------


def case_looks(case: Case) -> QuerySet:
    """Who has looked at ``case``, newest first (the caller has checked Action.AUDIT)."""
    return CaseLook.objects.filter(case=case).select_related("user", "person").order_by("-at", "-id")


def _managed_offices(user):
    return user.managed_offices.all() if user.role == Role.MANAGER else Office.objects.none()


def looks_outside_caseload(user, *, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """Looks, in ``user``'s offices and [start, end), by someone at a case neither allocated to
    them nor of a team they belong to or lead. Cases named by reference only."""
    leads_the_team = User.led_teams.through.objects.filter(user_id=OuterRef("user_id"),
                                                           team_id=OuterRef("case__team_id"))
    return (CaseLook.objects.filter(case__team__office__in=_managed_offices(user), at__gte=start, at__lt=end)
            .exclude(user_id=F("case__caseworker_id"))
            .exclude(user__team_id=F("case__team_id"))
            .exclude(Exists(leads_the_team))
            .select_related("user", "case__team").order_by("-at", "-id"))


def _staff_usernames(user):
    offices = _managed_offices(user)
    return (User.objects.filter(Q(team__office__in=offices) | Q(led_teams__office__in=offices)
                                | Q(managed_offices__in=offices)).values("username"))


def sign_ins(user, *, start: dt.datetime, end: dt.datetime):
    """Sign-ins (django-axes' AccessLog) of the staff of ``user``'s offices in [start, end)."""
    return (AccessLog.objects.filter(username__in=_staff_usernames(user), attempt_time__gte=start,
                                     attempt_time__lt=end).order_by("-attempt_time"))


def sign_in_failures(user, *, start: dt.datetime, end: dt.datetime):
    """Failed sign-ins (AccessFailureLog) under the usernames of the staff of ``user``'s offices."""
    return (AccessFailureLog.objects.filter(username__in=_staff_usernames(user), attempt_time__gte=start,
                                            attempt_time__lt=end).order_by("-attempt_time"))


# --- Attachments (issue 16) ----------------------------------------------------------------


def attachments_of(case: Case, *, target_kind: str | None = None, target_id: int | None = None) -> QuerySet:
    """The attachments of ``case`` (already resolved for the user: see ``get_case_or_404``), or
    of one of its records, newest first, withdrawn ones included (they show as withdrawn)."""
    attachments = Attachment.objects.filter(case=case).select_related("uploaded_by", "withdrawn_by")
    if target_kind is not None:
        attachments = attachments.filter(target_kind=target_kind, target_id=target_id)
    return attachments


def attachment_in_case(case: Case, attachment_id) -> Attachment | None:
    """One attachment of ``case`` by id; None when missing or of another case (the same answer)."""
    try:
        return attachments_of(case).filter(pk=int(attachment_id)).first()
    except (TypeError, ValueError):
        return None


def visible_attachments(user) -> QuerySet:
    """Attachments of every case ``user`` may see (the API's list)."""
    return (Attachment.objects.filter(case__in=visible_cases(user).values("pk"))
            .select_related("case", "uploaded_by", "withdrawn_by"))
