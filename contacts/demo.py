"""Fictional contacts for the demo agency: about twelve months of visits, support
contacts and phone calls per case, most months meeting the standard and some not.
Bulk inserts only, so ``seed_demo --scale 20000`` stays quick."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from cases.models import CaseMember, LivingArrangement, LivingKind, RiskAssessment, Role, User
from contacts import federal_demo, rules
from contacts.models import (
    Contact,
    ContactKind,
    ContactParticipant,
    Location,
    MakerRole,
    ScheduledVisit,
    VisitPlace,
)

MONTHS = 12
PURPOSES = ["Review progress against the case plan", "Check on the children's wellbeing and safety",
            "Discuss school attendance and routines", "Follow up the parenting program",
            "Talk with the children about family contact"]
SUPPORT_PARTIES = [("School wellbeing officer", "Kestrel Park State School"), ("Child health nurse", "Community Health"),
                   ("Counsellor", "Bluegum Family Counselling"), ("Youth worker", "Riverbend Youth Service")]
OBSERVATIONS = "Home was tidy and there was food in the fridge. The children were dressed for the weather."


def seed(agency, cases, *, scale: bool) -> None:
    if not cases:
        return
    rng = random.Random(4242 + len(cases))
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    support_officers = {u.team_id: u for u in User.objects.filter(role=Role.SUPPORT_OFFICER)}
    members = defaultdict(list)
    for m in CaseMember.objects.filter(case__in=[c.pk for c in cases]).values("pk", "case_id", "person_id", "role"):
        members[m["case_id"]].append(m)
    risk = dict(RiskAssessment.objects.filter(case__in=[c.pk for c in cases]).order_by("case_id", "completed_on")
                .values_list("case_id", "risk_level"))  # the latest level wins
    in_care = set(LivingArrangement.objects.filter(
        member__case__in=[c.pk for c in cases], effective_to__isnull=True,
        kind__in=[LivingKind.IN_CARE, LivingKind.PERMANENT_GUARDIAN]).values_list("member__case_id", flat=True))
    contacts, participants = [], []  # participants: (index into contacts, member id, seen alone)
    first_month = rules.add_months(today.replace(day=1), -MONTHS)
    for case in cases:
        family = members[case.pk]
        children = [m for m in family if m["role"] == "child"]
        parents = [m for m in family if m["role"] == "parent"]
        carers = [m for m in family if m["role"] == "carer"]
        diligence = rng.choice([1.0, 1.0, 0.95, 0.9, 0.7])  # how often this family's visits happen
        needed = {"low": 1, "moderate": 2, "high": 4}.get(risk.get(case.pk), 1)
        month = max(first_month, case.opened_on.replace(day=1))
        while month <= today.replace(day=1):
            last_day = min(rules.month_end(month), today - dt.timedelta(days=1))
            first_day = max(month, case.opened_on)
            if last_day >= first_day:
                keeps_up = rng.random() < diligence
                visits = needed + rng.choice([0, 0, 1]) if keeps_up else rng.randint(0, needed - 1)
                cared_for = case.pk in in_care
                if cared_for:
                    visits += 1  # one visit to the child's placement, the rest to the parents
                for i in range(visits):
                    day = first_day + dt.timedelta(days=rng.randint(0, (last_day - first_day).days))
                    by_support_officer = rng.random() < 0.1 and case.team_id in support_officers
                    maker = support_officers[case.team_id] if by_support_officer else case.caseworker
                    at_placement = not parents or (cared_for and i == 0)
                    home_of = None if at_placement else parents[(i - cared_for) % len(parents)]
                    contacts.append(dict(
                        case_id=case.pk, occurred_at=dt.datetime.combine(day, dt.time(10, rng.choice([0, 15, 30])),
                                                                         tzinfo=tz),
                        duration_minutes=rng.choice([45, 60, 90]), kind=ContactKind.FACE_TO_FACE, mode="in_person",
                        maker_role=MakerRole.SUPPORT_OFFICER if by_support_officer else MakerRole.CASEWORKER,
                        made_by_id=maker.pk, author_id=maker.pk, recorded_at=dt.datetime.combine(day, dt.time(16), tzinfo=tz),
                        location=Location.CHILD_LIVING_ENVIRONMENT if at_placement else Location.PARENT_RESIDENCE,
                        location_person_id=None if at_placement else home_of["person_id"],
                        announced=rng.random() < 0.8, purpose=rng.choice(PURPOSES), observations=OBSERVATIONS,
                        assessment="No immediate safety concerns observed.",
                    ))
                    index = len(contacts) - 1
                    if at_placement:
                        seen = children + carers
                    else:
                        seen = parents + ([] if cared_for else children)
                    for m in seen:
                        participants.append((index, m["pk"], m["role"] == "child" and rng.random() < 0.5))
                for _ in range(needed if keeps_up else rng.randint(0, needed)):
                    day = first_day + dt.timedelta(days=rng.randint(0, (last_day - first_day).days))
                    role, organisation = rng.choice(SUPPORT_PARTIES)
                    contacts.append(dict(
                        case_id=case.pk, occurred_at=dt.datetime.combine(day, dt.time(14), tzinfo=tz),
                        kind=ContactKind.SUPPORT, mode=rng.choice(["telephone", "in_person"]),
                        maker_role=MakerRole.CASEWORKER, made_by_id=case.caseworker_id, author_id=case.caseworker_id,
                        recorded_at=dt.datetime.combine(day, dt.time(16), tzinfo=tz), other_party_name=role,
                        other_party_organisation=organisation, location=Location.OTHER,
                        purpose="Information about the children's progress", observations="Attendance has improved.",
                    ))
                if rng.random() < 0.2:
                    day = first_day + dt.timedelta(days=rng.randint(0, (last_day - first_day).days))
                    contacts.append(dict(
                        case_id=case.pk, occurred_at=dt.datetime.combine(day, dt.time(9), tzinfo=tz),
                        kind=ContactKind.OTHER, mode="telephone", maker_role=MakerRole.CASEWORKER,
                        made_by_id=case.caseworker_id, author_id=case.caseworker_id,
                        recorded_at=dt.datetime.combine(day, dt.time(9, 30), tzinfo=tz),
                        purpose="Arrange the next home visit", observations="Parent agreed to a visit next week.",
                    ))
            month = rules.add_months(month, 1)
    # Planned visits, as a caseworker plans them from what is still needed: a time, with the
    # case's children, mostly at home, with a purpose.
    now = timezone.now()
    visits = []
    for c in cases:
        if rng.random() < 0.6:
            elsewhere = rng.random() < 0.2
            visits.append(ScheduledVisit(
                case_id=c.pk, scheduled_for=today + dt.timedelta(days=rng.randint(0, 20)),
                scheduled_time=dt.time(rng.choice([9, 10, 11, 14, 15]), rng.choice([0, 30])),
                place=VisitPlace.OTHER if elsewhere else VisitPlace.HOME,
                place_details="School" if elsewhere else "", purpose=rng.choice(PURPOSES),
                planned_by_id=c.caseworker_id, planned_at=now))
    with transaction.atomic():
        contact_ids = bulk_insert(Contact, contacts)
        bulk_insert(ContactParticipant, [{"contact_id": contact_ids[i], "member_id": m, "seen_alone": alone}
                                         for i, m, alone in participants])
        ScheduledVisit.objects.bulk_create(visits, batch_size=5000)
        children = defaultdict(list)
        for member_id, case_id in CaseMember.objects.filter(
                case_id__in=[v.case_id for v in visits], role="child").values_list("pk", "case_id"):
            children[case_id].append(member_id)
        with_whom = ScheduledVisit.members.through
        with_whom.objects.bulk_create([with_whom(scheduledvisit_id=v.pk, casemember_id=m)
                                       for v in visits for m in children[v.case_id]], batch_size=5000)
    federal_demo.vary_placement_visits([c.pk for c in cases])
    if not scale:
        compute_history(cases)


def compute_history(cases) -> None:
    """Evaluate the demo's past twelve months, close those past their grace period (with
    shortfall alerts) and warn about this month, so `make run` shows real results."""
    from cases.models import Case
    from contacts import compliance
    from contacts.recompute import case_months_recompute

    today = timezone.localdate()
    queryset = Case.objects.filter(pk__in=[c.pk for c in cases])
    last_closed = compliance.month_to_close(today)
    for month in reversed([rules.add_months(today.replace(day=1), -i) for i in range(MONTHS)]):
        open_then = compliance.cases_open_in(month).filter(pk__in=queryset)
        case_months_recompute(cases=open_then, month=month)
        if month <= last_closed:
            compliance.month_freeze(cases=open_then, month=month)
    compliance.warnings_refresh(cases=queryset, month=today.replace(day=1))


def bulk_insert(model, rows: list[dict]) -> list[int]:
    """Insert many rows given as {attname: value} and return their ids. Missing columns
    take the field's default. On PostgreSQL a block of ids is taken from the table's
    sequence and the rows are streamed with COPY (several times faster than INSERT for the
    million rows of a benchmark agency); elsewhere bulk_create."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        return [obj.pk for obj in model.objects.bulk_create([model(**row) for row in rows], batch_size=5000)]
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                else f.get_default() for f in fields}
    columns = ", ".join(["id"] + [connection.ops.quote_name(f.column) for f in fields])
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, len(rows)])
        first = cursor.fetchone()[0] - len(rows) + 1
        names = [f.attname for f in fields]
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for offset, row in enumerate(rows):
                copy.write_row([first + offset] + [row.get(name, defaults[name]) for name in names])
    return list(range(first, first + len(rows)))
