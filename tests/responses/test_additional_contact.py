"""Seed 000, 4.2: "Additional contact is necessary where an immediate safety plan is in place to
maintain the child's safe return to the family." While an approved safety plan is in force for
a child who has returned home, the month page says more than the standard is required, and the
caseworker and team leader are alerted until an increase is approved or the team leader
records why none is needed."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertStatus
from cases.models import Case, LivingArrangement
from cases.services import child_fact_record
from contacts.recompute import case_months_recompute
from contacts.services import requirement_change_decide, requirement_change_request
from responses import rules, services
from responses.models import NoIncreaseDecision
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db
KEY = "additional-contact:{}"


# --- The rule, without a database --------------------------------------------------------------

def test_a_child_has_returned_home_when_living_at_home_after_care_or_with_the_goal_of_reunification():
    children = [rules.ChildAtHome("Ava", "at_home", "remain_home", was_in_care=True),
                rules.ChildAtHome("Noah", "at_home", "reunification", was_in_care=False),
                rules.ChildAtHome("Mia", "at_home", "remain_home", was_in_care=False),
                rules.ChildAtHome("Leo", "in_care", "reunification", was_in_care=True)]
    assert rules.returned_home(children) == ("Ava", "Noah")


@pytest.mark.parametrize("in_force, returned, increase, recorded, needed", [
    (True, ("Ava",), False, False, True),
    (False, ("Ava",), False, False, False),  # no approved safety plan in force
    (True, (), False, False, False),  # no child has returned home
    (True, ("Ava",), True, False, False),  # an increase was approved
    (True, ("Ava",), False, True, False),  # the team leader recorded why none is needed
])
def test_additional_contact_is_needed_until_an_increase_or_a_reason_for_none(in_force, returned, increase,
                                                                              recorded, needed):
    assert rules.additional_contact_needed(safety_plan_in_force=in_force, returned=returned,
                                           increase_approved=increase, no_increase_recorded=recorded) is needed


# --- Alerts and the month page ---------------------------------------------------------------------

def _came_home(case):
    """The case's child was in care until last month and is home with the mother since."""
    child = case.children[0]
    home = child.living_arrangements.get()
    back = timezone.localdate().replace(day=1) - dt.timedelta(days=20)
    home.effective_from = back
    home.save()
    LivingArrangement.objects.create(member=child, kind="in_care", placement="Harbour Foster Care",
                                     effective_from=case.opened_on, effective_to=back - dt.timedelta(days=1))
    return child


@pytest.fixture
def reunified(cast):
    case = make_family_case(cast.worker, children=1)
    _came_home(case)
    return case


def _approved_plan(cast, case):
    plan = services.safety_plan_submit(user=cast.worker, case=case, developed_on=timezone.localdate(),
                                       threats="Relapse into drinking", actions="Grandmother stays over weekends",
                                       responsible="Grandmother; mother")
    return services.safety_plan_decide(user=cast.leader, plan=plan, approve=True)


def _month_page(client, case):
    case_months_recompute(cases=Case.objects.filter(pk=case.pk), month=timezone.localdate().replace(day=1))
    return client.get(f"/contacts/case/{case.reference}/month/{timezone.localdate():%Y-%m}/").content.decode()


def test_approving_a_safety_plan_for_a_child_back_home_alerts_the_caseworker_and_team_leader(client, cast,
                                                                                                reunified):
    _approved_plan(cast, reunified)
    alert = Alert.objects.get(key=KEY.format(reunified.pk))
    assert alert.status == AlertStatus.NEW
    assert set(alert.recipients.values_list("username", flat=True)) == {"worker", "leader"}
    assert reunified.reference in alert.title and "more contact than the standard" in alert.title
    assert reunified.children[0].person.given_name not in alert.title  # the case by reference only
    client.force_login(cast.worker)
    page = _month_page(client, reunified)
    assert "more than the standard below is required." in page
    assert "Request increased contact" in page and "Record that no increase is needed" not in page


def test_no_alert_without_a_child_back_home_or_before_the_plan_is_approved(cast):
    at_home_all_along = make_family_case(cast.worker, children=1)
    _approved_plan(cast, at_home_all_along)
    assert not Alert.objects.filter(key=KEY.format(at_home_all_along.pk)).exists()
    case = make_family_case(cast.worker, children=1)
    _came_home(case)
    services.safety_plan_submit(user=cast.worker, case=case, developed_on=timezone.localdate(), threats="t",
                                actions="a", responsible="r")
    assert not Alert.objects.filter(key=KEY.format(case.pk)).exists()


def test_an_approved_increase_resolves_the_alert_and_the_month_says_so(client, cast, reunified):
    _approved_plan(cast, reunified)
    month = timezone.localdate().replace(day=1)
    change = requirement_change_request(user=cast.worker, case=reunified, kind="increase", first_month=month,
                                        last_month=month, counts={"f2f_child": 3}, reason="Safety plan in place")
    requirement_change_decide(user=cast.leader, change=change, approve=True)
    assert Alert.objects.get(key=KEY.format(reunified.pk)).status == AlertStatus.RESOLVED
    client.force_login(cast.worker)
    assert "Increased contact approved by" in _month_page(client, reunified)


def test_the_team_leader_records_why_no_increase_is_needed(client, cast, reunified):
    plan = _approved_plan(cast, reunified)
    url = f"/responses/cases/{reunified.reference}/safety-plans/{plan.pk}/no-increase/"
    client.force_login(cast.leader)
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400 and not NoIncreaseDecision.objects.exists()
    response = client.post(url, {"reason": "Daily contact by the grandmother under the plan"})
    assert response.status_code == 302
    decision = NoIncreaseDecision.objects.get(plan=plan)
    assert decision.decided_by == cast.leader and decision.decided_at is not None
    assert Alert.objects.get(key=KEY.format(reunified.pk)).status == AlertStatus.RESOLVED
    page = _month_page(client, reunified)
    assert "No increase needed — recorded by" in page and "Daily contact by the grandmother" in page
    again = client.post(url, {"reason": "Twice"})
    assert "already been recorded" in again.content.decode() and NoIncreaseDecision.objects.count() == 1


@pytest.mark.parametrize("who, status", [("worker", 403), ("colleague", 403), ("other_team_worker", 404),
                                         ("other_team_leader", 404), ("manager", 403)])
def test_only_the_team_leader_records_that_no_increase_is_needed(client, cast, reunified, who, status):
    plan = _approved_plan(cast, reunified)
    client.force_login(getattr(cast, who))
    response = client.post(f"/responses/cases/{reunified.reference}/safety-plans/{plan.pk}/no-increase/",
                           {"reason": "Not needed"})
    assert response.status_code == status and not NoIncreaseDecision.objects.exists()


def test_a_child_coming_home_while_a_plan_is_in_force_raises_the_alert(cast):
    case = make_family_case(cast.worker, children=1)
    _approved_plan(cast, case)
    assert not Alert.objects.filter(key=KEY.format(case.pk)).exists()
    child = case.children[0]
    child.living_arrangements.update(effective_from=timezone.localdate() - dt.timedelta(days=3))
    child_fact_record(user=cast.worker, fact=LivingArrangement(
        member=child, kind="in_care", placement="Harbour Foster Care", effective_from=case.opened_on,
        effective_to=timezone.localdate() - dt.timedelta(days=4)))
    assert Alert.objects.get(key=KEY.format(case.pk)).status == AlertStatus.NEW
