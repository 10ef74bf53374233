"""Fixtures of the care tests: a case whose child is in care, with reunification as their goal,
and family time built through the real services."""

import datetime as dt

import pytest
from django.utils import timezone

from care import services
from cases.models import ChildGoal, LivingArrangement


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
