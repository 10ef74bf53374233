"""Load the facts the contact rules need, for any number of cases and one month, in a
fixed number of set-based queries (never a query per case)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import connection
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from care.facts import load_carer_placements
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


def rows_of(queryset: QuerySet) -> list[tuple]:
    """The rows of a ``values_list()`` query, all at once.

    On PostgreSQL, one ``fetchall`` on a plain cursor: for the nightly run's
    hundred-thousand-row reads, Django's iterator (chunks of 100 rows, a converter call
    per value) costs several times the query itself. Only for columns psycopg returns
    exactly as Django would (numbers, text, dates; not JSON). Other databases go through
    the ORM and its converters."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in_force(rows, day: dt.date):
    """The row (effective_from, effective_to, …), latest first, in force on ``day``, if any."""
    for row in rows:
        if row[0] <= day and (row[1] is None or day <= row[1]):
            return row
    return None


def load_month_facts(cases: QuerySet, month: dt.date) -> dict[int, rules.CaseMonthFacts]:
    """Facts for every case in ``cases`` for ``month``, keyed by case id."""
    month = rules.month_start(month)
    last_day = rules.month_end(month)
    case_ids = cases.values("pk")
    # .order_by(): the models' default orderings would only add sorts to these reads.
    case_rows = rows_of(Case.objects.filter(pk__in=case_ids).order_by().values_list("pk", "opened_on", "closed_on"))

    members = rows_of(
        CaseMember.objects.filter(case_id__in=case_ids, joined_on__lte=last_day)
        # By id: a family's lines come in one order on every database and in every run.
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=month)).order_by("pk")
        .values_list("pk", "case_id", "person_id", "role", "person__given_name", "joined_on", "left_on")
    )

    def facts_of(model, *fields):
        by_member = defaultdict(list)
        rows = rows_of(
            model.objects.filter(member__case_id__in=case_ids, member__role="child", effective_from__lte=last_day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=month))
            .order_by("-effective_from").values_list("member_id", "effective_from", "effective_to", *fields))
        for member_id, *row in rows:
            by_member[member_id].append(row)
        return by_member

    statuses = facts_of(LegalStatus, "intervention_type")
    goals = facts_of(ChildGoal, "goal")
    living = facts_of(LivingArrangement, "kind", "with_person_id")

    risks = defaultdict(list)
    for case_id, completed_on, level in rows_of(
        RiskAssessment.objects.filter(case_id__in=case_ids, tool__in=RISK_LEVEL_TOOLS, completed_on__lte=last_day)
        .order_by().values_list("case_id", "completed_on", "risk_level")
    ):
        risks[case_id].append((completed_on, level))

    contacts_by_case = _month_contacts(case_ids, month)

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
    living_by_case = defaultdict(dict)
    guardian_children = {}
    opened = {pk: opened_on for pk, opened_on, _ in case_rows}
    for member_id, case_id, person_id, role, name, joined_on, left_on in members:
        if role == "child":
            living_by_case[case_id][member_id] = tuple(living[member_id])
            day = max(month, opened.get(case_id, month), joined_on)
            order_started_on, _, legal_status = _in_force(statuses[member_id], day) or (None, None, None)
            _, _, goal = _in_force(goals[member_id], day) or (None, None, None)
            _, _, living_kind, lives_with = _in_force(living[member_id], day) or (None, None, None, None)
            person = rules.Person(
                member_id=member_id, person_id=person_id, role=role, name=name, joined_on=joined_on,
                left_on=left_on, legal_status=legal_status, goal=goal, in_care=living_kind == LivingKind.IN_CARE,
                lives_with_person_id=lives_with, order_started_on=order_started_on,
                with_permanent_guardian=living_kind == LivingKind.PERMANENT_GUARDIAN,
            )
            if person.legal_status == rules.LTG_SUITABLE_PERSON:
                guardian_children[member_id] = (case_id, person)
        else:
            person = rules.Person(member_id=member_id, person_id=person_id, role=role, name=name, joined_on=joined_on,
                                  left_on=left_on)
        people_by_case[case_id].append(person)

    last_guardian_contact = _last_guardian_contacts(guardian_children, people_by_case, month)
    carer_placements = load_carer_placements(case_ids, month, *local_month_bounds(month))

    return {
        pk: rules.CaseMonthFacts(
            case_id=pk, month=month, opened_on=opened_on, closed_on=closed_on,
            risk_level=rules.risk_level_for_month(risks[pk], month, opened_on),
            people=tuple(people_by_case[pk]), contacts=tuple(contacts_by_case[pk]),
            involved_providers=tuple(involvement.get(pk, ())), adjustments=tuple(adjustments[pk]),
            last_guardian_contact=last_guardian_contact.get(pk, {}), living_arrangements=living_by_case[pk],
            carer_placements=carer_placements.get(pk, ()), carer_visit_months=settings.CARER_VISIT_MONTHS,
        )
        for pk, opened_on, closed_on in case_rows
    }


def _month_contacts(case_ids: QuerySet, month: dt.date) -> dict[int, list[rules.Contact]]:
    """case id → the month's contacts, in date order, with their participants: two
    queries. The local date is worked out by the database, in the agency time zone."""
    start, end = local_month_bounds(month)
    in_month = Q(case_id__in=case_ids, occurred_at__gte=start, occurred_at__lt=end)
    participants = defaultdict(list)
    for contact_id, member_id in rows_of(
        ContactParticipant.objects.filter(contact__case_id__in=case_ids, contact__occurred_at__gte=start,
                                          contact__occurred_at__lt=end).order_by().values_list("contact_id", "member_id")
    ):
        participants[contact_id].append(member_id)
    by_case = defaultdict(list)
    no_one = frozenset()
    for pk, case_id, day, kind, maker, location, location_person_id, provider_id in rows_of(
        Contact.objects.filter(in_month).annotate(day=TruncDate("occurred_at")).order_by("occurred_at", "pk")
        .values_list("pk", "case_id", "day", "kind", "maker_role", "location", "location_person_id", "provider_id")
    ):
        present = participants.get(pk)
        by_case[case_id].append(rules.Contact(pk, day, kind, maker, frozenset(present) if present else no_one,
                                              location, location_person_id, provider_id))
    return by_case


def _last_guardian_contacts(children: dict, people_by_case: dict, month: dt.date):
    """case id → {child member id: date of the latest F2F with the child and their
    long-term guardian in the look-back before ``month``}: one grouped query over the
    pairs (child, another member present at the same face-to-face contact)."""
    if not children:
        return {}
    guardians_of = {}
    for member_id, (case_id, child) in children.items():
        guardians_of[member_id] = {p.member_id for p in people_by_case[case_id]
                                   if p.person_id == child.lives_with_person_id}
    guardian_ids = set().union(*guardians_of.values())
    if not guardian_ids:
        return {}
    start, _ = local_month_bounds(month)
    since, _ = local_month_bounds(rules.add_months(month, -GUARDIAN_LOOKBACK_MONTHS))
    pairs = (
        ContactParticipant.objects.filter(
            member_id__in=list(children), contact__kind=ContactKind.FACE_TO_FACE,
            contact__occurred_at__gte=since, contact__occurred_at__lt=start,
            contact__participants__member_id__in=guardian_ids)
        .values_list("member_id", "contact__participants__member_id")
        .annotate(last=Max(TruncDate("contact__occurred_at"))).order_by()
    )
    result = defaultdict(dict)
    for child_id, guardian_id, day in pairs:
        if guardian_id in guardians_of[child_id]:
            case_id = children[child_id][0]
            if day > result[case_id].get(child_id, dt.date.min):
                result[case_id][child_id] = day
    return result
