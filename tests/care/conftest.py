"""Fixtures of the care tests: a case whose child is in care, with reunification as their goal,
and family time built through the real services."""

import datetime as dt

import pytest
from django.utils import timezone

from care import services
from care.models import ApprovalStatus, CarerHousehold, HouseholdKind
from cases.models import ChildGoal, LivingArrangement, Office

TODAY = timezone.localdate


def household(name="Fictional Nguyen household", *, office=None, status=ApprovalStatus.APPROVED, by=None):
    office = office or Office.objects.first()
    approved_on = timezone.localdate() - dt.timedelta(days=900) if status == ApprovalStatus.APPROVED else None
    return CarerHousehold.objects.create(name=name, kind=HouseholdKind.FOSTER, office=office, approval_status=status,
                                         approved_on=approved_on)


def place(case, leader, home, *, child=None, start=None, reason="Could not stay at home safely"):
    child = child or case.children[0]
    start = start or timezone.localdate() - dt.timedelta(days=30)
    return services.placement_record(user=case.caseworker, child=child, household=home, placement_type="short_term",
                                     start=start, reason_for_change=reason, approved_by=leader)


def agree(placement, user, items=(("carer", "Take the child to school"), ("child_safety", "Fortnightly phone call"))):
    return services.agreement_save(user=user, placement=placement,
                                   items=[services.ItemInput(who, what) for who, what in items],
                                   supports_to_carer="Respite one weekend a month",
                                   review_on=timezone.localdate() + dt.timedelta(days=90))


def put_in_care(child, *, goal="reunification", since=None):
    """The child's living arrangement becomes "in care" (and their goal ``goal``) from ``since``."""
    since = since or child.joined_on
    LivingArrangement.objects.filter(member=child).update(kind="in_care", placement="Test foster home",
                                                          effective_from=since)
    ChildGoal.objects.filter(member=child).update(goal=goal)


def arrange(child, user, **overrides):
    today = timezone.localdate()
    fields = {"sessions": 1, "period": "fortnight", "duration_minutes": 90, "location": "Family contact room",
              "supervision": "supervised", "supervisor": "Contact worker", "transport": "Carer drives",
              "started_on": today - dt.timedelta(days=30), "review_on": today + dt.timedelta(days=30), **overrides}
    return services.family_time_create(user=user, member=child, participants=[child.case.parents[0]], **fields)


def staged(arrangement, user, stages=2):
    today = timezone.localdate()
    for number in range(stages):
        services.stage_add(user=user, arrangement=arrangement, changes=f"Stage {number + 1} changes",
                           starts_on=today + dt.timedelta(days=number * 30),
                           review_on=today + dt.timedelta(days=number * 30 + 28),
                           sessions=number + 1, period="week", supervision="partly" if number else "")
    return arrangement


@pytest.fixture
def in_care(cast):
    from tests.conftest import make_family_case

    case = make_family_case(cast.worker, children=1)
    put_in_care(case.children[0])
    return case
