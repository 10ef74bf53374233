"""Fixtures of the case plan tests: plans built through the real services, never by setting fields."""

import datetime as dt

import pytest
from django.utils import timezone

from caseplans import services as plan_services
from caseplans.models import ResponsibleKind


def draft_plan(case, user, *, actions=3, review_in_days=90):
    """A complete draft: an objective per child, a concern, a goal and ``actions`` SMART actions."""
    today = timezone.localdate()
    plan = plan_services.plan_create(
        user=user, case=case, how_made="case_planning_meeting", made_on=today, participants="Mother, caseworker",
        visit_frequency="Home visit every fortnight", review_date=today + dt.timedelta(days=review_in_days),
        confidential_notes="Father's whereabouts known to police only",
        objectives={child.pk: "remain_home" for child in case.children})
    plan_services.concern_save(user=user, plan=plan, text="Children exposed to family violence",
                               strengths="Mother is protective", needs="Safe housing")
    goal = plan_services.goal_save(user=user, plan=plan, text="The children live safely at home")
    for number in range(actions):
        plan_services.action_add(
            user=user, plan=plan, goal=goal, what=f"Mother attends counselling session number {number + 1}",
            responsible_kind=ResponsibleKind.PARENT, responsible_name="Parent0 Testfamily", service="Counselling",
            location="12 Hidden Lane, Refugeville", location_confidential=True,
            due_on=today + dt.timedelta(days=14 + number), measure="Attendance confirmed by the counsellor")
    return plan


def endorsed_plan(case, author, leader, **kwargs):
    plan = draft_plan(case, author, **kwargs)
    plan_services.plan_submit(user=author, plan=plan)
    return plan_services.plan_endorse(user=leader, plan=plan)


@pytest.fixture
def family(cast):
    from tests.conftest import make_family_case

    case = make_family_case(cast.worker)
    case.substantiated_on = timezone.localdate() - dt.timedelta(days=10)
    case.save()
    return case
