"""Load the facts the contact rules need, for any number of cases and one month, in a
fixed number of set-based queries (never a query per case)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import RISK_LEVEL_TOOLS, Case, CaseMember, ChildGoal, LegalStatus, LivingArrangement, LivingKind, RiskAssessment
from contacts import rules
from contacts.models import Contact, ContactKind, ContactParticipant, RequestStatus, RequirementChange
from services.selectors import provider_involvement

# How far back to look for the last contact with a child and their long-term guardian.
GUARDIAN_LOOKBACK_MONTHS = 24


def local_month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a calendar month in the agency time zone, as aware datetimes."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(rules.month_start(month), dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(rules.month_end(month) + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def local_date(moment: dt.datetime, tz=None) -> dt.date:
    return moment.astimezone(tz or timezone.get_current_timezone()).date()


def _in_force(rows, day: dt.date):
    """The row (with effective_from/effective_to) in force on ``day``, if any."""
    for row in rows:
        if row["effective_from"] <= day and (row["effective_to"] is None or day <= row["effective_to"]):
            return row
    return None


def load_month_facts(cases: QuerySet, month: dt.date) -> dict[int, rules.CaseMonthFacts]:
    """Facts for every case in ``cases`` for ``month``, keyed by case id."""
    month = rules.month_start(month)
    last_day = rules.month_end(month)
    case_ids = cases.values("pk")
    case_rows = list(Case.objects.filter(pk__in=case_ids).values_list("pk", "opened_on", "closed_on"))

    members = list(
        CaseMember.objects.filter(case_id__in=case_ids, joined_on__lte=last_day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=month))
        .values("pk", "case_id", "person_id", "role", "person__given_name", "joined_on", "left_on")
    )
    child_members = {m["pk"]: m for m in members if m["role"] == "child"}

    def facts_of(model, *fields):
        by_member = defaultdict(list)
        rows = (model.objects.filter(member__case_id__in=case_ids, member__role="child", effective_from__lte=last_day)
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=month))
                .values("member_id", "effective_from", "effective_to", *fields).order_by("-effective_from"))
        for row in rows:
            by_member[row["member_id"]].append(row)
        return by_member

    statuses = facts_of(LegalStatus, "intervention_type")
    goals = facts_of(ChildGoal, "goal")
    living = facts_of(LivingArrangement, "kind", "with_person_id")

    risks = defaultdict(list)
    for case_id, completed_on, level in (
        RiskAssessment.objects.filter(case_id__in=case_ids, tool__in=RISK_LEVEL_TOOLS, completed_on__lte=last_day)
        .values_list("case_id", "completed_on", "risk_level")
    ):
        risks[case_id].append((completed_on, level))

    start, end = local_month_bounds(month)
    contact_rows = list(
        Contact.objects.filter(case_id__in=case_ids, occurred_at__gte=start, occurred_at__lt=end).order_by("occurred_at", "pk")
        .values_list("pk", "case_id", "occurred_at", "kind", "mode", "maker_role", "location", "location_person_id",
                     "provider_id")
    )
    participants = defaultdict(set)
    for contact_id, member_id in ContactParticipant.objects.filter(
        contact__case_id__in=case_ids, contact__occurred_at__gte=start, contact__occurred_at__lt=end
    ).values_list("contact_id", "member_id"):
        participants[contact_id].add(member_id)
    contacts_by_case = defaultdict(list)
    tz = timezone.get_current_timezone()
    for pk, case_id, occurred_at, kind, mode, maker, location, location_person_id, provider_id in contact_rows:
        contacts_by_case[case_id].append(rules.Contact(
            contact_id=pk, on=local_date(occurred_at, tz), kind=kind, maker=maker,
            participants=frozenset(participants[pk]), location=location,
            location_person_id=location_person_id, provider_id=provider_id,
        ))

    adjustments = defaultdict(list)
    for case_id, request_id, kind, counts, first, last_name, username in (
        RequirementChange.objects.filter(case_id__in=case_ids, status=RequestStatus.APPROVED,
                                         first_month__lte=month, last_month__gte=month)
        .order_by("-decided_at")
        .values_list("case_id", "pk", "kind", "counts", "decided_by__first_name", "decided_by__last_name",
                      "decided_by__username")
    ):
        approver = f"{first} {last_name}".strip() or username
        adjustments[case_id].append(rules.Adjustment(kind, {k: int(v) for k, v in counts.items()}, approver,
                                                     request_id))

    involvement = provider_involvement(case_ids, month, last_day)

    people_by_case = defaultdict(list)
    guardian_children = {}
    opened = {pk: opened_on for pk, opened_on, _ in case_rows}
    for m in members:
        legal = arrangement = goal = None
        if m["role"] == "child":
            day = max(month, opened.get(m["case_id"], month), m["joined_on"])
            legal = _in_force(statuses[m["pk"]], day)
            goal = _in_force(goals[m["pk"]], day)
            arrangement = _in_force(living[m["pk"]], day)
        person = rules.Person(
            member_id=m["pk"], person_id=m["person_id"], role=m["role"], name=m["person__given_name"],
            joined_on=m["joined_on"], left_on=m["left_on"],
            legal_status=legal["intervention_type"] if legal else None,
            goal=goal["goal"] if goal else None,
            in_care=bool(arrangement and arrangement["kind"] == LivingKind.IN_CARE),
            lives_with_person_id=arrangement["with_person_id"] if arrangement else None,
            order_started_on=legal["effective_from"] if legal else None,
        )
        people_by_case[m["case_id"]].append(person)
        if person.legal_status == rules.LTG_SUITABLE_PERSON:
            guardian_children[m["pk"]] = person

    last_guardian_contact = _last_guardian_contacts(guardian_children, people_by_case, child_members, month)

    return {
        pk: rules.CaseMonthFacts(
            case_id=pk, month=month, opened_on=opened_on, closed_on=closed_on,
            risk_level=rules.risk_level_for_month(risks[pk], month, opened_on),
            people=tuple(people_by_case[pk]), contacts=tuple(contacts_by_case[pk]),
            involved_providers=tuple(involvement.get(pk, ())), adjustments=tuple(adjustments[pk]),
            last_guardian_contact=last_guardian_contact.get(pk, {}),
        )
        for pk, opened_on, closed_on in case_rows
    }


def _last_guardian_contacts(children: dict, people_by_case: dict, child_members: dict, month: dt.date):
    """case id → {child member id: date of the latest F2F with child and guardian before ``month``}.

    Two queries: the children's face-to-face contacts in the look-back, then which of those
    contacts their guardians attended."""
    if not children:
        return {}
    start, _ = local_month_bounds(month)
    since, _ = local_month_bounds(rules.add_months(month, -GUARDIAN_LOOKBACK_MONTHS))
    guardians_of = {}
    for member_id, child in children.items():
        case_id = child_members[member_id]["case_id"]
        guardians_of[member_id] = {p.member_id for p in people_by_case[case_id]
                                   if p.person_id == child.lives_with_person_id}
    seen = list(ContactParticipant.objects.filter(
        member_id__in=list(children), contact__kind=ContactKind.FACE_TO_FACE,
        contact__occurred_at__gte=since, contact__occurred_at__lt=start,
    ).values_list("contact_id", "member_id", "contact__occurred_at"))
    guardian_ids = set().union(*guardians_of.values())
    attended = set(ContactParticipant.objects.filter(
        contact_id__in={contact_id for contact_id, _, _ in seen}, member_id__in=guardian_ids,
    ).values_list("contact_id", "member_id")) if seen and guardian_ids else set()
    tz = timezone.get_current_timezone()
    result = defaultdict(dict)
    for contact_id, member_id, occurred_at in seen:
        if any((contact_id, guardian) in attended for guardian in guardians_of[member_id]):
            case_id = child_members[member_id]["case_id"]
            day = local_date(occurred_at, tz)
            if day > result[case_id].get(member_id, dt.date.min):
                result[case_id][member_id] = day
    return result
