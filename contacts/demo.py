"""Fictional contacts for the demo agency: about twelve months of visits, support
contacts and phone calls per case, most months meeting the standard and some not.
Bulk inserts only, so ``seed_demo --scale 20000`` stays quick."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from cases.models import CaseMember, LivingArrangement, LivingKind, Role, User
from contacts import rules
from contacts.models import Contact, ContactKind, ContactParticipant, Location, MakerRole, ScheduledVisit

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
    in_care = set(LivingArrangement.objects.filter(member__case__in=[c.pk for c in cases], kind=LivingKind.IN_CARE,
                                                   effective_to__isnull=True).values_list("member__case_id", flat=True))
    contacts, participants = [], []  # participants: (index into contacts, member id, seen alone)
    first_month = rules.add_months(today.replace(day=1), -MONTHS)
    for case in cases:
        family = members[case.pk]
        children = [m for m in family if m["role"] == "child"]
        parents = [m for m in family if m["role"] == "parent"]
        carers = [m for m in family if m["role"] == "carer"]
        diligence = rng.choice([1.0, 1.0, 1.0, 0.8, 0.6])  # how often this family's visits happen
        month = max(first_month, case.opened_on.replace(day=1))
        while month <= today.replace(day=1):
            last_day = min(rules.month_end(month), today - dt.timedelta(days=1))
            first_day = max(month, case.opened_on)
            if last_day >= first_day:
                visits = rng.choice([1, 2, 2, 3, 4]) if rng.random() < diligence else rng.choice([0, 1])
                for _ in range(visits):
                    day = first_day + dt.timedelta(days=rng.randint(0, (last_day - first_day).days))
                    by_support_officer = rng.random() < 0.2 and case.team_id in support_officers
                    maker = support_officers[case.team_id] if by_support_officer else case.caseworker
                    at_home = case.pk not in in_care or rng.random() < 0.5
                    contacts.append(Contact(
                        case_id=case.pk, occurred_at=dt.datetime.combine(day, dt.time(10, rng.choice([0, 15, 30])),
                                                                         tzinfo=tz),
                        duration_minutes=rng.choice([45, 60, 90]), kind=ContactKind.FACE_TO_FACE, mode="in_person",
                        maker_role=MakerRole.SUPPORT_OFFICER if by_support_officer else MakerRole.CASEWORKER,
                        made_by=maker, author=maker, recorded_at=dt.datetime.combine(day, dt.time(16), tzinfo=tz),
                        location=Location.PARENT_RESIDENCE if at_home and parents else Location.CHILD_LIVING_ENVIRONMENT,
                        location_person_id=parents[0]["person_id"] if at_home and parents else None,
                        announced=rng.random() < 0.8, purpose=rng.choice(PURPOSES), observations=OBSERVATIONS,
                        assessment="No immediate safety concerns observed.",
                    ))
                    index = len(contacts) - 1
                    seen = children + (parents if at_home else carers)
                    for m in seen:
                        participants.append((index, m["pk"], m["role"] == "child" and rng.random() < 0.5))
                for _ in range(rng.choice([0, 1, 2, 2, 3, 4]) if rng.random() < diligence else 0):
                    day = first_day + dt.timedelta(days=rng.randint(0, (last_day - first_day).days))
                    role, organisation = rng.choice(SUPPORT_PARTIES)
                    contacts.append(Contact(
                        case_id=case.pk, occurred_at=dt.datetime.combine(day, dt.time(14), tzinfo=tz),
                        kind=ContactKind.SUPPORT, mode=rng.choice(["telephone", "in_person"]),
                        maker_role=MakerRole.CASEWORKER, made_by=case.caseworker, author=case.caseworker,
                        recorded_at=dt.datetime.combine(day, dt.time(16), tzinfo=tz), other_party_name=role,
                        other_party_organisation=organisation, location=Location.OTHER,
                        purpose="Information about the children's progress", observations="Attendance has improved.",
                    ))
                if rng.random() < 0.2:
                    day = first_day + dt.timedelta(days=rng.randint(0, (last_day - first_day).days))
                    contacts.append(Contact(
                        case_id=case.pk, occurred_at=dt.datetime.combine(day, dt.time(9), tzinfo=tz),
                        kind=ContactKind.OTHER, mode="telephone", maker_role=MakerRole.CASEWORKER,
                        made_by=case.caseworker, author=case.caseworker,
                        recorded_at=dt.datetime.combine(day, dt.time(9, 30), tzinfo=tz),
                        purpose="Arrange the next home visit", observations="Parent agreed to a visit next week.",
                    ))
            month = rules.add_months(month, 1)
    visits = [ScheduledVisit(case_id=c.pk, scheduled_for=today + dt.timedelta(days=rng.randint(0, 20)))
              for c in cases if rng.random() < 0.6]
    with transaction.atomic():
        saved = Contact.objects.bulk_create(contacts, batch_size=5000)
        ContactParticipant.objects.bulk_create(
            [ContactParticipant(contact_id=saved[i].pk, member_id=m, seen_alone=alone) for i, m, alone in participants],
            batch_size=5000)
        ScheduledVisit.objects.bulk_create(visits, batch_size=5000)
