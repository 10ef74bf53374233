"""The cases API: reads and writes of cases, members (with the nested person), legal
statuses, goals, living arrangements and risk assessments; bad input answers 400 with a
clear message and saves nothing; objects of invisible cases answer 404 and cannot be
named in writes; pagination, filtering, the OpenAPI schema and token sign-in."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case, CaseMember, ChildGoal, LegalStatus, LivingArrangement, Person
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def api(cast):
    client = APIClient()
    client.force_authenticate(cast.worker)
    return client


def _message(response) -> str:
    return str(response.json())


# --- cases --------------------------------------------------------------------------------------

def test_a_case_reads_with_its_members_facts_and_risk(api, cases):
    case = cases["own"]
    body = api.get(f"/api/cases/{case.reference}/").json()
    assert body["reference"] == case.reference and body["risk_level"] == "moderate"
    child = next(m for m in body["members"] if m["role"] == "child")
    assert child["person"]["given_name"].startswith("Child")
    assert child["legal_statuses"][0]["intervention_type"] == "ipa"
    assert child["living_arrangements"][0]["kind"] == "at_home"
    assert body["risk_assessments"][0]["risk_level"] == "moderate"
    assert body["allocations"][0]["caseworker"] == case.caseworker_id


def test_a_case_is_opened_through_the_api_with_a_generated_reference(api, cast):
    response = api.post("/api/cases/", {"team": cast.team_a.pk, "caseworker": cast.worker.pk,
                                        "opened_on": TODAY.isoformat()}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["reference"] == f"QLD-{TODAY.year}-000001"
    assert Case.objects.get().allocations.count() == 1


def test_a_case_with_bad_dates_is_refused_with_a_clear_message_and_nothing_saved(api, cast):
    response = api.post("/api/cases/", {"team": cast.team_a.pk, "caseworker": cast.worker.pk,
                                        "opened_on": (TODAY + dt.timedelta(days=2)).isoformat()}, format="json")
    assert response.status_code == 400
    assert "cannot open in the future" in _message(response)
    response = api.post("/api/cases/", {"team": cast.team_a.pk, "caseworker": cast.worker.pk,
                                        "opened_on": "not a date"}, format="json")
    assert response.status_code == 400 and "opened_on" in response.json()
    assert not Case.objects.exists()


def test_changing_the_caseworker_through_a_patch_is_refused(api, cases, cast):
    case = cases["own"]
    response = api.patch(f"/api/cases/{case.reference}/", {"caseworker": cast.colleague.pk, "lock_version": case.lock_version},
                         format="json")
    assert response.status_code == 400
    assert "realloca" in _message(response)
    case.refresh_from_db()
    assert case.caseworker == cast.worker


def test_cases_are_paginated(api, cast):
    f.CaseFactory.create_batch(51, caseworker=cast.worker)
    first = api.get("/api/cases/").json()
    assert first["count"] == 51 and len(first["results"]) == 50 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None


def test_cases_filter_by_phase_and_search_by_name(api, cases):
    own = cases["own"]
    Case.objects.filter(pk=own.pk).update(phase="review")
    assert [c["reference"] for c in api.get("/api/cases/?phase=review").json()["results"]] == [own.reference]
    child = own.children[0].person
    child.family_name = "Quenby"
    child.save()
    found = api.get("/api/cases/?search=Quenby").json()["results"]
    assert [c["reference"] for c in found] == [own.reference]


def test_searching_the_api_never_finds_invisible_cases(api, cases):
    person = cases["other_office"].children[0].person
    person.family_name = "Zeldovich"
    person.save()
    assert api.get("/api/cases/?search=Zeldovich").json()["count"] == 0


# --- members with the nested person --------------------------------------------------------------

def _member_payload(case, **overrides):
    payload = {"case": case.reference, "role": "family", "relationship": "grandmother",
               "joined_on": case.opened_on.isoformat(),
               "person": {"given_name": "Ruby", "family_name": "Kettle", "indigenous_status": "aboriginal",
                          "language": "English"}}
    payload.update(overrides)
    return payload


def test_a_member_is_added_with_a_new_person(api, cases):
    case = cases["own"]
    response = api.post("/api/members/", _member_payload(case), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"]["given_name"] == "Ruby" and body["case"] == case.reference
    assert CaseMember.objects.get(pk=body["id"]).person.indigenous_status == "aboriginal"


def test_a_member_joining_before_the_case_opened_is_refused_and_no_person_saved(api, cases):
    case = cases["own"]
    payload = _member_payload(case, joined_on=(case.opened_on - dt.timedelta(days=1)).isoformat())
    response = api.post("/api/members/", payload, format="json")
    assert response.status_code == 400
    assert "before it opened" in _message(response)
    assert not Person.objects.filter(family_name="Kettle").exists()


def test_a_person_without_a_name_is_refused_with_the_field_named(api, cases):
    payload = _member_payload(cases["own"])
    payload["person"]["given_name"] = ""
    response = api.post("/api/members/", payload, format="json")
    assert response.status_code == 400
    assert "given_name" in response.json()["person"]


def test_a_member_cannot_be_added_to_an_invisible_case(api, cases):
    response = api.post("/api/members/", _member_payload(cases["other_office"]), format="json")
    assert response.status_code == 400
    assert "does not exist" in _message(response)  # exactly as for a case that does not exist
    assert not Person.objects.filter(family_name="Kettle").exists()


def test_a_members_person_is_corrected_through_a_patch(api, cases):
    member = cases["own"].children[0]
    response = api.patch(f"/api/members/{member.pk}/", {"lock_version": member.lock_version, "person": {
        "preferred_name": "Bee", "lock_version": member.person.lock_version}}, format="json")
    assert response.status_code == 200, response.content
    member.person.refresh_from_db()
    assert member.person.preferred_name == "Bee"


def test_members_filter_by_case_and_role(api, cases):
    case = cases["own"]
    rows = api.get(f"/api/members/?case__reference={case.reference}&role=child").json()["results"]
    assert {r["id"] for r in rows} == {m.pk for m in case.children}


# --- legal statuses, goals, living arrangements ---------------------------------------------------

def test_a_legal_status_is_recorded_and_read(api, cases):
    child = cases["own"].children[0]
    LegalStatus.objects.filter(member=child).delete()
    response = api.post("/api/legal-statuses/", {"member": child.pk, "intervention_type": "supervision_order",
                                                 "effective_from": child.joined_on.isoformat()}, format="json")
    assert response.status_code == 201, response.content
    rows = api.get(f"/api/legal-statuses/?member={child.pk}").json()["results"]
    assert [r["intervention_type"] for r in rows] == ["supervision_order"]


def test_an_overlapping_legal_status_is_refused_with_the_reason(api, cases):
    child = cases["own"].children[0]
    response = api.post("/api/legal-statuses/", {"member": child.pk, "intervention_type": "directive_order",
                                                 "effective_from": TODAY.isoformat()}, format="json")
    assert response.status_code == 400
    assert "already has a legal status" in _message(response)
    assert child.legal_statuses.count() == 1


def test_an_unknown_intervention_type_is_refused(api, cases):
    child = cases["own"].children[0]
    response = api.post("/api/legal-statuses/", {"member": child.pk, "intervention_type": "kidnap",
                                                 "effective_from": TODAY.isoformat()}, format="json")
    assert response.status_code == 400 and "intervention_type" in response.json()


def test_a_goal_is_ended_through_a_patch(api, cases):
    goal = cases["own"].children[0].goals.get()
    response = api.patch(f"/api/goals/{goal.pk}/", {"effective_to": TODAY.isoformat(), "lock_version": goal.lock_version},
                         format="json")
    assert response.status_code == 200, response.content
    goal.refresh_from_db()
    assert goal.effective_to == TODAY
    response = api.patch(f"/api/goals/{goal.pk}/",
                         {"effective_to": (goal.effective_from - dt.timedelta(days=1)).isoformat(),
                          "lock_version": goal.lock_version}, format="json")
    assert response.status_code == 400 and "end date cannot be before" in _message(response)
    goal.refresh_from_db()
    assert goal.effective_to == TODAY


def test_a_living_arrangement_with_a_carer_of_the_case_is_recorded(api, cases):
    case = cases["own"]
    child = case.children[0]
    LivingArrangement.objects.filter(member=child).delete()
    carer = f.MemberFactory(case=case, role="carer", relationship="foster carer")
    response = api.post("/api/living-arrangements/", {
        "member": child.pk, "kind": "in_care", "with_person": carer.person_id,
        "effective_from": TODAY.isoformat()}, format="json")
    assert response.status_code == 201, response.content
    assert LivingArrangement.objects.get(member=child).with_person == carer.person


@pytest.mark.parametrize("position,message", [
    ("other_office", "does not exist"),  # a person of an invisible case looks absent
    ("team", "does not exist"),  # visible, but not of this case: the same answer (issue 12)
])
def test_a_child_lives_only_with_someone_of_the_same_case(api, cases, position, message):
    child = cases["own"].children[0]
    LivingArrangement.objects.filter(member=child).delete()
    parent_elsewhere = cases[position].parents[0].person
    response = api.post("/api/living-arrangements/", {
        "member": child.pk, "kind": "at_home", "with_person": parent_elsewhere.pk,
        "effective_from": TODAY.isoformat()}, format="json")
    assert response.status_code == 400
    assert message in _message(response)
    assert not LivingArrangement.objects.filter(member=child).exists()


@pytest.mark.parametrize("endpoint,model,values", [
    ("legal-statuses", LegalStatus, {"intervention_type": "ipa"}),
    ("goals", ChildGoal, {"goal": "reunification"}),
    ("living-arrangements", LivingArrangement, {"kind": "other", "details": "Respite"}),
])
def test_child_facts_of_invisible_cases_are_404_and_cannot_be_named(api, cases, endpoint, model, values):
    hidden_child = cases["other_office"].children[0]
    hidden = model.objects.filter(member=hidden_child).first()
    assert api.get(f"/api/{endpoint}/{hidden.pk}/").status_code == 404
    assert api.patch(f"/api/{endpoint}/{hidden.pk}/", {"effective_to": TODAY.isoformat()},
                     format="json").status_code == 404
    before = model.objects.count()
    response = api.post(f"/api/{endpoint}/", {"member": hidden_child.pk, "effective_from": TODAY.isoformat(),
                                              **values}, format="json")
    assert response.status_code == 400 and "does not exist" in _message(response)
    assert model.objects.count() == before
    listed = {row["id"] for row in api.get(f"/api/{endpoint}/").json()["results"]}
    assert hidden.pk not in listed


def test_members_of_invisible_cases_are_404(api, cases):
    hidden = cases["other_team"].children[0]
    assert api.get(f"/api/members/{hidden.pk}/").status_code == 404
    assert api.patch(f"/api/members/{hidden.pk}/", {"relationship": "x"}, format="json").status_code == 404


# --- risk assessments ----------------------------------------------------------------------------

def test_a_risk_assessment_is_recorded_with_its_approver(api, cases, cast):
    case = cases["own"]
    response = api.post("/api/risk-assessments/", {
        "case": case.reference, "tool": "frre", "completed_on": TODAY.isoformat(), "risk_level": "high",
        "approved_by": cast.leader.pk}, format="json")
    assert response.status_code == 201, response.content
    assert api.get(f"/api/cases/{case.reference}/").json()["risk_level"] == "high"


def test_a_risk_assessment_in_the_future_or_approved_by_a_caseworker_is_refused(api, cases, cast):
    case = cases["own"]
    future = api.post("/api/risk-assessments/", {
        "case": case.reference, "tool": "frre", "completed_on": (TODAY + dt.timedelta(days=1)).isoformat(),
        "risk_level": "high"}, format="json")
    assert future.status_code == 400 and "cannot be completed in the future" in _message(future)
    self_approved = api.post("/api/risk-assessments/", {
        "case": case.reference, "tool": "frre", "completed_on": TODAY.isoformat(), "risk_level": "low",
        "approved_by": cast.colleague.pk}, format="json")
    assert self_approved.status_code == 400 and "approved_by" in self_approved.json()
    assert case.risk_assessments.count() == 1


def test_risk_assessments_of_invisible_cases_are_404_and_cannot_be_created(api, cases):
    hidden_case = cases["other_team"]
    hidden = hidden_case.risk_assessments.get()
    assert api.get(f"/api/risk-assessments/{hidden.pk}/").status_code == 404
    response = api.post("/api/risk-assessments/", {
        "case": hidden_case.reference, "tool": "frre", "completed_on": TODAY.isoformat(), "risk_level": "low"},
        format="json")
    assert response.status_code == 400 and "does not exist" in _message(response)
    assert hidden_case.risk_assessments.count() == 1


def test_risk_assessments_filter_by_level(api, cases):
    own = cases["own"]
    f.RiskAssessmentFactory(case=own, risk_level="high", completed_on=TODAY)
    rows = api.get("/api/risk-assessments/?risk_level=high").json()["results"]
    assert [(r["case"], r["risk_level"]) for r in rows] == [(own.reference, "high")]


def test_a_manager_reads_but_cannot_write(cast, cases):
    client = APIClient()
    client.force_authenticate(cast.manager)
    case = cases["own"]
    assert client.get(f"/api/cases/{case.reference}/").status_code == 200
    response = client.post("/api/risk-assessments/", {
        "case": case.reference, "tool": "frre", "completed_on": TODAY.isoformat(), "risk_level": "low"},
        format="json")
    assert response.status_code in (400, 403)
    assert case.risk_assessments.count() == 1


# --- schema, docs, tokens ------------------------------------------------------------------------

def test_the_openapi_schema_describes_the_case_endpoints(client, cast):
    client.force_login(cast.worker)
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ["/api/cases/", "/api/cases/{reference}/", "/api/members/", "/api/legal-statuses/",
                 "/api/goals/", "/api/living-arrangements/", "/api/risk-assessments/"]:
        assert path in schema["paths"], path


def test_the_api_docs_page_renders(client, cast):
    client.force_login(cast.worker)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_token_sign_in_works_for_a_token_made_with_the_management_command(cast, cases, capsys):
    call_command("drf_create_token", cast.worker.username)
    key = Token.objects.get(user=cast.worker).key
    assert key in capsys.readouterr().out
    client = APIClient()
    assert client.get("/api/cases/").status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = client.get("/api/cases/").json()
    assert {c["reference"] for c in body["results"]} == {cases["own"].reference, cases["team"].reference}
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/cases/").status_code in (401, 403)


@pytest.mark.parametrize("endpoint", ["cases", "members", "legal-statuses", "goals", "living-arrangements",
                                      "risk-assessments"])
def test_nothing_is_deleted_through_the_api(api, cases, endpoint):
    case = cases["own"]
    child = case.children[0]
    target = {"cases": case.reference, "members": child.pk, "legal-statuses": child.legal_statuses.get().pk,
              "goals": child.goals.get().pk, "living-arrangements": child.living_arrangements.get().pk,
              "risk-assessments": case.risk_assessments.get().pk}[endpoint]
    assert api.delete(f"/api/{endpoint}/{target}/").status_code == 405
    assert api.get(f"/api/{endpoint}/{target}/").status_code == 200


def test_api_writes_are_kept_in_the_record_history_under_the_token_users_name(cast, cases):
    token = Token.objects.create(user=cast.worker)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    case = cases["own"]
    assert client.patch(f"/api/cases/{case.reference}/", {"phase": "review", "lock_version": case.lock_version},
                        format="json").status_code == 200
    latest = case.history.order_by("-history_id").first()
    assert (latest.phase, latest.history_user) == ("review", cast.worker)
