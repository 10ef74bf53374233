"""The services of family time and cultural support plans, through the database."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from alerts.models import Alert, AlertKind, AlertStatus
from care import selectors, services
from care.models import FamilyTimeArrangement, FamilyTimeStage
from cases.errors import CaseworkError
from cases.models import Person
from tests.care.conftest import arrange, put_in_care, staged
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db


def test_family_time_is_arranged_only_for_a_child_in_care(cast):
    case = make_family_case(cast.worker, children=1)
    with pytest.raises(CaseworkError, match="not in care"):
        arrange(case.children[0], cast.worker)
    put_in_care(case.children[0])
    arrangement = arrange(case.children[0], cast.worker)
    assert list(arrangement.participants.all()) == [case.parents[0]]
    assert arrangement.history.count() == 1
    with pytest.raises(CaseworkError, match="already has"):
        arrange(case.children[0], cast.worker)


def test_supervised_family_time_names_its_supervisor(in_care, cast):
    with pytest.raises(CaseworkError, match="who supervises"):
        arrange(in_care.children[0], cast.worker, supervisor=" ")
    assert not FamilyTimeArrangement.objects.exists()


def test_a_staged_plan_is_for_a_child_whose_goal_is_reunification(cast):
    case = make_family_case(cast.worker, children=1)
    put_in_care(case.children[0], goal="long_term_care")
    arrangement = arrange(case.children[0], cast.worker)
    with pytest.raises(CaseworkError, match="reunification"):
        staged(arrangement, cast.worker, stages=1)


def test_progressing_needs_the_team_leaders_approval_and_then_applies_the_stage(in_care, cast):
    arrangement = staged(arrange(in_care.children[0], cast.worker), cast.worker)
    progression = services.progression_request(user=cast.worker, arrangement=arrangement,
                                               rationale="Visits went well")
    alert = Alert.objects.get(key=services.progression_alert_key(progression))
    assert in_care.reference in alert.title and cast.leader in alert.recipients.all()
    with pytest.raises(CaseworkError, match="already waiting"):
        services.progression_request(user=cast.worker, arrangement=arrangement, rationale="Again")
    for refused in (cast.worker, cast.colleague):
        with pytest.raises(CaseworkError, match="team leader"):
            services.progression_decide(user=refused, progression=progression, approve=True)
    with pytest.raises(Http404):  # another team's leader does not see the case at all
        services.progression_decide(user=cast.other_team_leader, progression=progression, approve=True)
    with pytest.raises(CaseworkError, match="Say why"):
        services.progression_decide(user=cast.leader, progression=progression, approve=False)
    services.progression_decide(user=cast.leader, progression=progression, approve=True, comment="Agreed")
    arrangement.refresh_from_db()
    stage = FamilyTimeStage.objects.get(arrangement=arrangement, number=1)
    assert stage.status == "current" and arrangement.period == "week" and arrangement.review_on == stage.review_on
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.RESOLVED
    with pytest.raises(CaseworkError, match="already been decided"):
        services.progression_decide(user=cast.leader, progression=progression, approve=True)
    second = services.progression_request(user=cast.worker, arrangement=arrangement, rationale="Ready for more")
    services.progression_decide(user=cast.leader, progression=second, approve=True)
    assert list(arrangement.stages.values_list("number", "status")) == [(1, "done"), (2, "current")]
    arrangement.refresh_from_db()
    assert arrangement.supervision == "partly" and arrangement.sessions == 2


def test_a_team_leader_never_approves_their_own_request(in_care, cast):
    arrangement = staged(arrange(in_care.children[0], cast.leader), cast.leader)
    progression = services.progression_request(user=cast.leader, arrangement=arrangement, rationale="Going well")
    with pytest.raises(CaseworkError, match="own request"):
        services.progression_decide(user=cast.leader, progression=progression, approve=True)


def test_a_missed_session_alerts_the_caseworker_and_team_leader_by_reference(in_care, cast):
    arrangement = arrange(in_care.children[0], cast.worker)
    day = timezone.localdate() - dt.timedelta(days=1)
    services.session_record(user=cast.worker, arrangement=arrangement, on=day, outcome="held", observations="Fine")
    assert not Alert.objects.filter(kind=AlertKind.FAMILY_TIME_MISSED).exists()
    session = services.session_record(user=cast.worker, arrangement=arrangement, on=day, outcome="missed",
                                      by_whom="parent")
    alert = Alert.objects.get(key=services.missed_alert_key(session))
    assert alert.kind == AlertKind.FAMILY_TIME_MISSED and in_care.reference in alert.title
    assert in_care.children[0].person.given_name not in alert.title
    assert set(alert.recipients.all()) == {cast.worker, cast.leader}


def test_the_daily_check_alerts_overdue_reviews_and_resolves_them_after_a_review(in_care, cast):
    arrangement = arrange(in_care.children[0], cast.worker)
    today = timezone.localdate()
    assert services.family_time_reviews_check(today=today) == 0
    later = arrangement.review_on + dt.timedelta(days=1)
    assert services.family_time_reviews_check(today=later) == 1
    assert services.family_time_reviews_check(today=later) == 0  # idempotent
    alert = Alert.objects.get(kind=AlertKind.FAMILY_TIME_REVIEW)
    assert in_care.reference in alert.title and set(alert.recipients.all()) == {cast.worker, cast.leader}
    services.review_record(user=cast.worker, arrangement=arrangement, reviewed_on=today, outcome="Stay as is",
                           next_review_on=later + dt.timedelta(days=30))
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.RESOLVED
    assert services.family_time_reviews_check(today=later) == 0


def test_a_closed_case_has_no_overdue_review_alert(in_care, cast):
    arrangement = arrange(in_care.children[0], cast.worker)
    type(in_care).objects.filter(pk=in_care.pk).update(closed_on=timezone.localdate(), phase="closed")
    assert services.family_time_reviews_check(today=arrangement.review_on + dt.timedelta(days=3)) == 0


def test_a_cultural_support_plan_is_for_an_aboriginal_or_torres_strait_islander_child(in_care, cast):
    child = in_care.children[0]
    review_on = timezone.localdate() + dt.timedelta(days=60)
    with pytest.raises(CaseworkError, match="not recorded as one"):
        services.cultural_plan_save(user=cast.worker, member=child, review_on=review_on)
    Person.objects.filter(pk=child.person_id).update(indigenous_status="torres_strait_islander")
    child.person.refresh_from_db()
    plan = services.cultural_plan_save(user=cast.worker, member=child, review_on=review_on, community="Island")
    services.cultural_activity_add(user=cast.worker, plan=plan, activity="Island dance group", responsible="Carer")
    with pytest.raises(CaseworkError, match="who is responsible"):
        services.cultural_activity_add(user=cast.worker, plan=plan, activity="Language", responsible="")
    assert [a.activity for a in selectors.cultural_plan_activities(cast.worker, child)] == ["Island dance group"]
    assert selectors.cultural_plan_activities(cast.other_team_worker, child) == []
