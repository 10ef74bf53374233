"""Addresses over time, correcting risk assessments, ending the current legal status from
the form, and the case's phase and closing date staying consistent."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Address, Case, LegalStatus, Phase, RiskAssessment
from cases.services import CaseworkError, address_record, case_update, risk_assessment_record
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def family(cast):
    return make_family_case(cast.worker)


# --- Addresses --------------------------------------------------------------------------------


def test_a_new_address_ends_the_current_one_the_day_before(cast, family):
    parent = family.parents[0]
    current = parent.person.addresses.get()
    moved = TODAY - dt.timedelta(days=10)
    address_record(user=cast.worker, case=family, address=Address(
        person=parent.person, line1="7 New Road", suburb="Kestrel Park", effective_from=moved))
    current.refresh_from_db()
    assert current.effective_to == moved - dt.timedelta(days=1)
    assert [a.line1 for a in Address.objects.filter(person=parent.person).on(TODAY)] == ["7 New Road"]
    assert [a.line1 for a in Address.objects.filter(person=parent.person).on(moved - dt.timedelta(days=1))] == [
        current.line1]


def test_an_address_overlapping_an_ended_one_is_refused_and_nothing_changes(cast, family):
    parent = family.parents[0]
    current = parent.person.addresses.get()
    Address.objects.filter(pk=current.pk).update(effective_to=TODAY - dt.timedelta(days=30))
    with pytest.raises(CaseworkError, match="overlaps the address"):
        address_record(user=cast.worker, case=family, address=Address(
            person=parent.person, line1="7 New Road", suburb="Kestrel Park",
            effective_from=TODAY - dt.timedelta(days=60)))
    assert parent.person.addresses.count() == 1


def test_an_address_is_recorded_only_for_someone_in_the_case(cast, family, cases):
    stranger = cases["team"].parents[0].person
    with pytest.raises(CaseworkError, match="does not belong"):
        address_record(user=cast.worker, case=family, address=Address(
            person=stranger, line1="1 Any Street", suburb="Quarry Hill", effective_from=TODAY))


def test_the_address_page_records_through_the_service_and_shows_a_refusal(client, cast, family):
    parent = family.parents[0]
    client.force_login(cast.worker)
    url = f"/cases/{family.reference}/members/{parent.pk}/address/"
    data = {"line1": "7 New Road", "suburb": "Kestrel Park", "state": "QLD", "postcode": "4501",
            "effective_from": (TODAY - dt.timedelta(days=3)).isoformat(), "effective_to": ""}
    assert client.post(url, data).status_code == 302
    refused = client.post(url, {**data, "line1": "9 Other Road",
                                "effective_from": (TODAY - dt.timedelta(days=5)).isoformat()})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "overlaps the address" in html and 'value="9 Other Road"' in html
    assert not Address.objects.filter(line1="9 Other Road").exists()


# --- Risk assessments -------------------------------------------------------------------------


def test_only_a_leader_of_the_cases_team_approves_a_risk_assessment(cast, family):
    assessment = RiskAssessment(case=family, tool="frre", completed_on=TODAY, risk_level="high",
                                approved_by=cast.other_team_leader)
    with pytest.raises(CaseworkError, match="team leader of the case's team"):
        risk_assessment_record(user=cast.worker, assessment=assessment)
    assessment.approved_by = cast.leader
    risk_assessment_record(user=cast.worker, assessment=assessment)
    assert assessment.pk is not None


def test_correcting_an_assessment_keeps_what_it_said_before(client, cast, family):
    assessment = family.risk_assessments.get()
    client.force_login(cast.worker)
    url = f"/cases/{family.reference}/risk/{assessment.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and 'value="moderate" selected' in page.content.decode()
    response = client.post(url, {"tool": "fre", "completed_on": assessment.completed_on.isoformat(),
                                 "risk_level": "high", "approved_by": "", "notes": "Level entered wrongly",
                                 "lock_version": assessment.lock_version})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.risk_level == "high"
    assert list(assessment.history.order_by("history_id").values_list("risk_level", flat=True)) == [
        "moderate", "high"]
    history = client.get(f"/cases/{family.reference}/history/").context["history"]
    assert any(h.record == "Risk assessment" and "risk level: Moderate → High" in h.changes for h in history)


def test_an_assessment_of_another_case_cannot_be_corrected_through_this_one(client, cast, family, cases):
    other = cases["team"].risk_assessments.get()
    client.force_login(cast.worker)
    assert client.get(f"/cases/{family.reference}/risk/{other.pk}/").status_code == 404


# --- Ending the current legal status from the form ---------------------------------------------


def test_the_legal_status_form_ends_the_current_status_when_ticked(client, cast, family):
    child = family.children[0]
    current = child.legal_statuses.get()
    client.force_login(cast.worker)
    url = f"/cases/{family.reference}/members/{child.pk}/legal-status/new/"
    start = TODAY - dt.timedelta(days=5)
    data = {"intervention_type": "short_term_custody", "effective_from": start.isoformat(), "effective_to": ""}

    form_page = client.get(url).content.decode()
    assert "End the current legal status" in form_page and 'name="end_current"' in form_page
    refused = client.post(url, data)  # not ticked: the overlap is refused, nothing saved
    assert refused.status_code == 200 and "already has a legal status" in refused.content.decode()
    assert child.legal_statuses.count() == 1

    response = client.post(url, {**data, "end_current": "on"}, follow=True)
    assert response.status_code == 200
    current.refresh_from_db()
    assert current.effective_to == start - dt.timedelta(days=1)
    assert "now ends on" in response.content.decode()
    assert list(LegalStatus.objects.filter(member=child).on(TODAY).values_list("intervention_type", flat=True)) == [
        "short_term_custody"]


def test_a_record_cannot_be_moved_to_another_child_through_the_api(client, cast, family):
    first, second = family.children
    status = first.legal_statuses.get()
    client.force_login(cast.worker)
    response = client.patch(f"/api/legal-statuses/{status.pk}/", {"member": second.pk,
                                                                  "lock_version": status.lock_version},
                            content_type="application/json")
    assert response.status_code == 400 and "cannot be moved" in response.json()["detail"]
    status.refresh_from_db()
    assert status.member_id == first.pk


# --- Phase and closing date --------------------------------------------------------------------


def test_a_closed_phase_needs_a_closing_date_and_a_closing_date_needs_the_closed_phase(family):
    family.phase = Phase.CLOSED
    with pytest.raises(ValidationError) as raised:
        family.full_clean()
    assert "phase" in raised.value.message_dict
    family.phase, family.closed_on = Phase.REVIEW, TODAY
    with pytest.raises(ValidationError) as raised:
        family.full_clean()
    assert "phase" in raised.value.message_dict
    family.phase = Phase.CLOSED
    family.full_clean()


def test_a_case_cannot_close_in_the_future(family):
    family.phase, family.closed_on = Phase.CLOSED, TODAY + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        family.full_clean()
    assert "future" in raised.value.message_dict["closed_on"][0]


def test_the_edit_page_and_the_api_do_not_close_a_case_outside_the_closure_workflow(client, cast, family):
    client.force_login(cast.worker)
    page = client.get(f"/cases/{family.reference}/edit/").content.decode()
    assert 'value="closed"' not in page and "closed_on" not in page
    response = client.patch(f"/api/cases/{family.reference}/", {"phase": "closed", "lock_version": family.lock_version},
                            content_type="application/json")
    assert response.status_code == 400 and "closure" in response.json()["phase"]
    assert Case.objects.get(pk=family.pk).phase != Phase.CLOSED


def test_case_update_changes_only_dates_and_phase(cast, family):
    with pytest.raises(CaseworkError, match="reallocate"):
        case_update(user=cast.worker, case=family, lock_version=family.lock_version, caseworker=cast.colleague)
    assert Case.objects.get(pk=family.pk).caseworker == cast.worker


def test_the_closure_workflow_closes_with_date_and_phase_together(cast, family):
    case_update(user=cast.worker, case=family, lock_version=family.lock_version, closed_on=TODAY, phase=Phase.CLOSED)
    family.refresh_from_db()
    assert not family.is_open and family.phase == Phase.CLOSED
