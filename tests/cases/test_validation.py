"""Model and form validation of case records: clear field-level errors, and a failed
submit keeps what was typed and saves nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import forms
from cases.models import (
    Case,
    CaseMember,
    ChildGoal,
    LegalStatus,
    LivingArrangement,
    Person,
    RiskAssessment,
)
from cases.services import CaseworkError, child_fact_record, member_add
from tests import factories as f
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _errors(instance) -> dict:
    with pytest.raises(ValidationError) as raised:
        instance.full_clean()
    return raised.value.message_dict


@pytest.fixture
def family(cast):
    return make_family_case(cast.worker)


# --- models -----------------------------------------------------------------------------------

@pytest.mark.parametrize("model", [LegalStatus, ChildGoal, LivingArrangement])
def test_a_child_fact_ending_before_it_starts_is_refused_on_the_end_date(family, model):
    child = family.children[0]
    extra = {"intervention_type": "ipa"} if model is LegalStatus else {}
    extra |= {"goal": "reunification"} if model is ChildGoal else {}
    extra |= {"kind": "other", "details": "With an aunt"} if model is LivingArrangement else {}
    model.objects.filter(member=child).delete()
    fact = model(member=child, effective_from=TODAY, effective_to=TODAY - dt.timedelta(days=1), **extra)
    assert _errors(fact)["effective_to"] == ["The end date cannot be before the start date."]


def test_an_address_ending_before_it_starts_is_refused(family):
    address = f.AddressFactory.build(person=family.parents[0].person, effective_from=dt.date(2024, 5, 1),
                                     effective_to=dt.date(2024, 4, 30))
    assert "effective_to" in _errors(address)


def test_a_case_closed_before_it_opened_is_refused(family):
    family.closed_on = family.opened_on - dt.timedelta(days=1)
    assert _errors(family)["closed_on"] == ["The closing date cannot be before the case opened."]


def test_a_member_leaving_before_joining_is_refused(family):
    member = family.children[0]
    member.left_on = member.joined_on - dt.timedelta(days=1)
    assert "left_on" in _errors(member)


def test_a_risk_assessment_dated_in_the_future_is_refused(family):
    assessment = RiskAssessment(case=family, tool="frre", risk_level="high",
                                completed_on=TODAY + dt.timedelta(days=1))
    assert _errors(assessment)["completed_on"] == ["An assessment cannot be completed in the future."]


def test_a_risk_assessment_dated_today_is_accepted(family):
    RiskAssessment(case=family, tool="frre", risk_level="high", completed_on=TODAY).full_clean()


@pytest.mark.parametrize("model,values,message", [
    (LegalStatus, {"intervention_type": "supervision_order"}, "already has a legal status"),
    (ChildGoal, {"goal": "reunification"}, "already has a case plan goal"),
    (LivingArrangement, {"kind": "other", "details": "Respite"}, "already has a living arrangement"),
])
def test_overlapping_facts_of_one_kind_for_one_child_are_refused(family, model, values, message):
    child = family.children[0]  # has an open-ended fact of each kind since joining
    later = model(member=child, effective_from=TODAY - dt.timedelta(days=10), **values)
    assert message in _errors(later)["effective_from"][0]
    same_start = model(member=child, effective_from=child.joined_on, **values)
    assert message in _errors(same_start)["effective_from"][0]
    current = model.objects.get(member=child)
    current.effective_to = TODAY - dt.timedelta(days=30)
    current.save()
    inside_an_ended_period = model(member=child, effective_from=TODAY - dt.timedelta(days=60),
                                   effective_to=TODAY - dt.timedelta(days=40), **values)
    assert message in _errors(inside_an_ended_period)["effective_from"][0]


def test_asked_to_a_new_status_starting_later_ends_the_current_one_the_day_before(cast, family):
    child = family.children[0]
    current = child.legal_statuses.get()
    child_fact_record(user=cast.worker, end_current=True, fact=LegalStatus(
        member=child, intervention_type="short_term_custody", effective_from=TODAY))
    current.refresh_from_db()
    assert current.effective_to == TODAY - dt.timedelta(days=1)
    assert list(LegalStatus.objects.filter(member=child).on(TODAY).values_list("intervention_type", flat=True)) == [
        "short_term_custody"]


def test_a_fact_starting_after_the_previous_one_ended_does_not_overlap(family):
    child = family.children[0]
    current = child.legal_statuses.get()
    current.effective_to = TODAY - dt.timedelta(days=31)
    current.save()
    LegalStatus(member=child, intervention_type="supervision_order",
                effective_from=TODAY - dt.timedelta(days=30)).full_clean()


def test_the_same_dates_for_another_child_do_not_overlap(family):
    second = family.children[1]
    LegalStatus.objects.filter(member=second).delete()
    LegalStatus(member=second, intervention_type="supervision_order", effective_from=family.opened_on).full_clean()


def test_a_legal_status_is_only_for_a_child(family):
    fact = LegalStatus(member=family.parents[0], intervention_type="ipa", effective_from=TODAY)
    assert "Only a child" in " ".join(_errors(fact)["__all__"])


def test_living_at_home_needs_the_parent(family):
    child = family.children[0]
    LivingArrangement.objects.filter(member=child).delete()
    arrangement = LivingArrangement(member=child, kind="at_home", effective_from=TODAY)
    assert _errors(arrangement)["with_person"] == ["Name the parent the child lives with."]


def test_living_in_care_needs_the_carer_or_the_placement(family):
    child = family.children[0]
    LivingArrangement.objects.filter(member=child).delete()
    arrangement = LivingArrangement(member=child, kind="in_care", effective_from=TODAY)
    assert _errors(arrangement)["with_person"] == ["Name the carer or the placement."]
    arrangement.placement = "Bluegum House"
    arrangement.full_clean()


def test_the_person_a_child_lives_with_must_belong_to_the_case(cast, family):
    child = family.children[0]
    LivingArrangement.objects.filter(member=child).delete()
    stranger = f.PersonFactory()
    with pytest.raises(CaseworkError, match="must belong to the case"):
        child_fact_record(user=cast.worker, fact=LivingArrangement(
            member=child, kind="at_home", with_person=stranger, effective_from=TODAY))
    assert not LivingArrangement.objects.filter(member=child).exists()


def test_a_child_fact_cannot_start_before_the_child_joined(cast, family):
    child = family.children[0]
    LegalStatus.objects.filter(member=child).delete()
    with pytest.raises(CaseworkError, match="before the child joined"):
        child_fact_record(user=cast.worker, fact=LegalStatus(
            member=child, intervention_type="ipa", effective_from=child.joined_on - dt.timedelta(days=1)))


def test_the_service_refuses_overlaps_with_the_models_message(cast, family):
    with pytest.raises(CaseworkError, match="already has a legal status"):
        child_fact_record(user=cast.worker, fact=LegalStatus(
            member=family.children[0], intervention_type="directive_order", effective_from=family.opened_on))
    assert family.children[0].legal_statuses.count() == 1


def test_joining_before_the_case_opened_is_refused_by_form_and_service(cast, family):
    day_before = family.opened_on - dt.timedelta(days=1)
    form = forms.MemberForm({"role": "family", "joined_on": day_before}, case=family)
    assert form.errors["joined_on"] == ["A person cannot join the case before it opened."]
    with pytest.raises(CaseworkError, match="before it opened"):
        member_add(user=cast.worker, case=family, person=Person(given_name="Ann", family_name="Lee"),
                   role="family", joined_on=day_before)
    assert not Person.objects.filter(given_name="Ann").exists()


def test_a_person_born_in_the_future_is_refused():
    person = Person(given_name="Ann", family_name="Lee", date_of_birth=TODAY + dt.timedelta(days=1))
    assert "date_of_birth" in _errors(person)


def test_an_interpreter_needs_a_language():
    person = Person(given_name="Ann", family_name="Lee", interpreter_required=True, language="")
    assert "language" in _errors(person)


# --- pages: a failed submit keeps the typed data and saves nothing ------------------------------

def _field_value(html: str, name: str) -> str:
    import re

    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def test_a_failed_case_form_keeps_the_input_and_saves_nothing(client, cast):
    client.force_login(cast.worker)
    future = TODAY + dt.timedelta(days=5)
    response = client.post("/cases/new/", {"team": cast.team_a.pk, "caseworker": cast.worker.pk,
                                           "opened_on": future.isoformat(), "substantiated_on": "2020-02-03",
                                           "phase": "case_planning"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The case cannot open in the future." in html
    assert _field_value(html, "opened_on") == future.isoformat()
    assert _field_value(html, "substantiated_on") == "2020-02-03"
    assert not Case.objects.exists()


def test_a_failed_member_form_keeps_the_input_and_saves_no_person(client, cast, family):
    client.force_login(cast.worker)
    people_before = Person.objects.count()
    response = client.post(f"/cases/{family.reference}/members/new/", {
        "person-given_name": "Marlee", "person-family_name": "Walker", "person-indigenous_status": "aboriginal",
        "person-language": "English", "member-role": "family", "member-relationship": "aunt",
        "member-joined_on": (family.opened_on - dt.timedelta(days=3)).isoformat(),
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "A person cannot join the case before it opened." in html
    assert _field_value(html, "person-given_name") == "Marlee"
    assert _field_value(html, "member-relationship") == "aunt"
    assert Person.objects.count() == people_before
    assert not CaseMember.objects.filter(relationship="aunt").exists()


def test_a_failed_legal_status_form_shows_the_overlap_and_saves_nothing(client, cast, family):
    client.force_login(cast.worker)
    child = family.children[0]
    response = client.post(f"/cases/{family.reference}/members/{child.pk}/legal-status/new/", {
        "intervention_type": "short_term_custody", "effective_from": child.joined_on.isoformat(), "effective_to": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "already has a legal status in force during these dates" in html
    assert 'value="short_term_custody" selected' in html
    assert _field_value(html, "effective_from") == child.joined_on.isoformat()
    assert child.legal_statuses.count() == 1


def test_a_failed_living_arrangement_form_keeps_the_input_and_saves_nothing(client, cast, family):
    client.force_login(cast.worker)
    child = family.children[0]
    LivingArrangement.objects.filter(member=child).delete()
    response = client.post(f"/cases/{family.reference}/members/{child.pk}/living-arrangement/new/", {
        "kind": "at_home", "with_person": "", "placement": "", "details": "Weekdays with mum",
        "effective_from": TODAY.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Name the parent the child lives with." in html
    assert _field_value(html, "details") == "Weekdays with mum"
    assert not LivingArrangement.objects.filter(member=child).exists()


def test_a_failed_risk_assessment_form_keeps_the_input_and_saves_nothing(client, cast, family):
    client.force_login(cast.worker)
    tomorrow = TODAY + dt.timedelta(days=1)
    response = client.post(f"/cases/{family.reference}/risk/new/", {
        "tool": "frre", "completed_on": tomorrow.isoformat(), "risk_level": "high", "notes": "Kept notes"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "An assessment cannot be completed in the future." in html
    assert _field_value(html, "completed_on") == tomorrow.isoformat()
    assert "Kept notes" in html
    assert family.risk_assessments.count() == 1


def test_field_errors_are_tied_to_their_field_for_screen_readers(client, cast, family):
    client.force_login(cast.worker)
    response = client.post(f"/cases/{family.reference}/risk/new/", {
        "tool": "frre", "completed_on": (TODAY + dt.timedelta(days=1)).isoformat(), "risk_level": "high"})
    html = response.content.decode()
    assert 'id="id_completed_on_error"' in html
    assert 'aria-describedby="id_completed_on_error"' in html or 'aria-invalid="true"' in html
