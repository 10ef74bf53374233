"""Concurrent planning (Ontario Standard 7) at case plan reviews of a child in care."""

import datetime as dt

import pytest
from django.utils import timezone

from caseplans import services
from caseplans.models import AlternateStatus
from cases.errors import CaseworkError
from tests.care.conftest import put_in_care
from tests.caseplans.conftest import endorsed_plan
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db

ALTERNATE = {"with_whom": "Maternal aunt", "legal_path": "ltg_suitable_person",
             "people_searched": "Grandparents, aunts", "people_assessed": "Aunt: suitable"}


@pytest.fixture
def review(cast):
    """A review version (draft 2) of the plan of a case whose child is in care."""
    case = make_family_case(cast.worker, children=1)
    put_in_care(case.children[0])
    first = endorsed_plan(case, cast.worker, cast.leader)
    draft = services.plan_review_start(user=cast.worker, plan=first)
    return services.plan_update(user=cast.worker, plan=draft, lock_version=draft.lock_version,
                                review_date=timezone.localdate() + dt.timedelta(days=90))


def test_the_first_plan_asks_no_prognosis(cast):
    case = make_family_case(cast.worker, children=1)
    put_in_care(case.children[0])
    plan = endorsed_plan(case, cast.worker, cast.leader)
    assert plan.status == "endorsed"
    with pytest.raises(CaseworkError, match="at a review"):
        services.prognosis_record(user=cast.worker, plan=plan, member=case.children[0], prognosis="good",
                                  reasons="Engaging")


def test_a_review_of_a_child_in_care_needs_the_prognosis_with_reasons(review, cast):
    child = review.case.members.get(role="child")
    with pytest.raises(CaseworkError, match="prognosis for reunification of"):
        services.plan_submit(user=cast.worker, plan=review)
    with pytest.raises(CaseworkError, match="reasons"):
        services.prognosis_record(user=cast.worker, plan=review, member=child, prognosis="good", reasons=" ")
    services.prognosis_record(user=cast.worker, plan=review, member=child, prognosis="good", reasons="Engaging well")
    assert services.plan_submit(user=cast.worker, plan=review).status == "submitted"


def test_a_poor_prognosis_needs_an_alternate_plan_endorsed_before_the_review_completes(review, cast):
    child = review.case.members.get(role="child")
    prognosis = services.prognosis_record(user=cast.worker, plan=review, member=child, prognosis="poor",
                                          reasons="No progress in nine months")
    with pytest.raises(CaseworkError, match="record the alternate permanent plan"):
        services.plan_submit(user=cast.worker, plan=review)
    with pytest.raises(CaseworkError, match="with whom"):
        services.alternate_plan_record(user=cast.worker, prognosis=prognosis, **{**ALTERNATE, "with_whom": ""})
    alternate = services.alternate_plan_record(user=cast.worker, prognosis=prognosis, **ALTERNATE)
    with pytest.raises(CaseworkError, match="team leader's endorsement"):
        services.plan_submit(user=cast.worker, plan=review)
    with pytest.raises(CaseworkError, match="team leader"):
        services.alternate_plan_decide(user=cast.colleague, alternate=alternate, endorse=True)
    with pytest.raises(CaseworkError, match="comment"):
        services.alternate_plan_decide(user=cast.leader, alternate=alternate, endorse=False)
    services.alternate_plan_decide(user=cast.leader, alternate=alternate, endorse=True)
    alternate.refresh_from_db()
    assert alternate.status == AlternateStatus.ENDORSED and alternate.history.count() >= 2
    services.plan_submit(user=cast.worker, plan=review)
    assert services.plan_endorse(user=cast.leader, plan=review).status == "endorsed"


def test_changing_the_prognosis_asks_for_the_endorsement_again(review, cast):
    child = review.case.members.get(role="child")
    prognosis = services.prognosis_record(user=cast.worker, plan=review, member=child, prognosis="poor",
                                          reasons="No progress")
    alternate = services.alternate_plan_record(user=cast.worker, prognosis=prognosis, **ALTERNATE)
    services.alternate_plan_decide(user=cast.leader, alternate=alternate, endorse=True)
    services.prognosis_record(user=cast.worker, plan=review, member=child, prognosis="uncertain", reasons="Some")
    alternate.refresh_from_db()
    assert alternate.status == AlternateStatus.PENDING


def test_an_author_of_the_alternate_plan_does_not_endorse_it(review, cast):
    child = review.case.members.get(role="child")
    prognosis = services.prognosis_record(user=cast.leader, plan=review, member=child, prognosis="poor",
                                          reasons="No progress")
    alternate = services.alternate_plan_record(user=cast.leader, prognosis=prognosis, **ALTERNATE)
    with pytest.raises(CaseworkError, match="another team leader"):
        services.alternate_plan_decide(user=cast.leader, alternate=alternate, endorse=True)


def test_a_child_at_home_needs_no_prognosis(cast):
    case = make_family_case(cast.worker, children=1)
    first = endorsed_plan(case, cast.worker, cast.leader)
    review = services.plan_review_start(user=cast.worker, plan=first)
    assert services.concurrent_planning_problems(review) == []
    with pytest.raises(CaseworkError, match="in care"):
        services.prognosis_record(user=cast.worker, plan=review, member=case.children[0], prognosis="poor",
                                  reasons="x")
