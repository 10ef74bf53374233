"""Two people open the same record and both save: the second is refused with the first one's
change shown and the typed input kept (pages), or 409 with the change (API). Nothing of the
first person's is undone; saving again, having seen it, applies the second person's values."""

import re

import pytest

from cases import services
from cases.locking import StaleEdit
from cases.models import Case, CaseMember, LegalStatus, Person, Phase, RiskAssessment
from tests.conftest import make_family_case


def _version_in(html: str, name: str = "lock_version") -> int:
    return int(re.search(rf'name="{name}" value="(\d+)"', html).group(1))


@pytest.fixture
def family(cast):
    return make_family_case(cast.worker)


def test_second_save_of_the_case_form_is_refused_with_the_first_change_shown(client, cast, family):
    client.force_login(cast.leader)
    opened = client.get(f"/cases/{family.reference}/edit/").content.decode()
    read_version = _version_in(opened)
    services.case_update(user=cast.worker, case=Case.objects.get(pk=family.pk), lock_version=read_version,
                         phase=Phase.ONGOING_INTERVENTION)

    response = client.post(f"/cases/{family.reference}/edit/", {
        "substantiated_on": "2026-01-05", "phase": Phase.CASE_PLANNING, "lock_version": read_version})

    html = response.content.decode()
    assert response.status_code == 200
    assert "saved this case after you opened it" in html and cast.worker.get_full_name() in html
    assert "Phase: Case planning → Ongoing intervention" in html  # what the other person changed
    assert 'value="2026-01-05"' in html  # the typed input is kept
    family.refresh_from_db()
    assert family.phase == Phase.ONGOING_INTERVENTION and family.substantiated_on is None
    # Having seen it, saving again applies the leader's values over it, knowingly.
    assert _version_in(html) == family.lock_version
    again = client.post(f"/cases/{family.reference}/edit/", {
        "substantiated_on": "2026-01-05", "phase": Phase.CASE_PLANNING, "lock_version": _version_in(html)})
    assert again.status_code == 302
    family.refresh_from_db()
    assert family.phase == Phase.CASE_PLANNING and str(family.substantiated_on) == "2026-01-05"


def test_a_form_posted_without_its_version_is_refused_with_a_message_and_saves_nothing(client, cast, family):
    client.force_login(cast.worker)
    response = client.post(f"/cases/{family.reference}/edit/", {"phase": Phase.ONGOING_INTERVENTION})
    html = response.content.decode()
    assert response.status_code == 200 and "opened without the version" in html
    family.refresh_from_db()
    assert family.phase == Phase.CASE_PLANNING


def test_a_case_form_opened_before_a_reallocation_cannot_undo_it(client, cast, family):
    client.force_login(cast.worker)
    read_version = _version_in(client.get(f"/cases/{family.reference}/edit/").content.decode())
    services.case_reallocate(user=cast.leader, case=family, caseworker=cast.colleague, reason="Leave cover")
    response = client.post(f"/cases/{family.reference}/edit/", {"phase": Phase.ONGOING_INTERVENTION,
                                                               "lock_version": read_version})
    # The worker may no longer edit it at all, or is told the case changed: never a silent undo.
    family.refresh_from_db()
    assert family.caseworker == cast.colleague and family.phase == Phase.CASE_PLANNING
    assert response.status_code in (200, 404)


def test_second_save_of_a_person_and_membership_keeps_the_first(client, cast, family):
    parent = family.parents[0]
    url = f"/cases/{family.reference}/members/{parent.pk}/edit/"
    client.force_login(cast.leader)
    opened = client.get(url).content.decode()
    person_version, member_version = _version_in(opened, "person-lock_version"), _version_in(opened, "member-lock_version")
    person = Person.objects.get(pk=parent.person_id)
    person.family_name = "Okafor"
    services.member_and_person_update(user=cast.worker, member=CaseMember.objects.get(pk=parent.pk), person=person,
                                      person_lock_version=person_version, lock_version=member_version)

    response = client.post(url, {
        "person-given_name": "Parent0", "person-family_name": "Typed-by-leader", "person-language": "English",
        "person-indigenous_status": person.indigenous_status, "person-lock_version": person_version,
        "member-role": "parent", "member-relationship": "mother", "member-joined_on": str(parent.joined_on),
        "member-lock_version": member_version})

    html = response.content.decode()
    assert response.status_code == 200 and "after you opened it" in html
    assert "Okafor" in html and "Typed-by-leader" in html  # their change shown, my input kept
    assert Person.objects.get(pk=person.pk).family_name == "Okafor"


def test_a_stale_correction_of_a_childs_legal_status_is_refused(cast, family):
    status = LegalStatus.objects.filter(member=family.children[0]).get()
    first, second = LegalStatus.objects.get(pk=status.pk), LegalStatus.objects.get(pk=status.pk)
    first.intervention_type = "supervision_order"
    services.child_fact_record(user=cast.worker, fact=first, lock_version=status.lock_version)
    second.intervention_type = "ipa"
    second.effective_to = None
    with pytest.raises(StaleEdit) as refused:
        services.child_fact_record(user=cast.leader, fact=second, lock_version=status.lock_version)
    assert "saved this legal status after you opened it" in str(refused.value)
    assert refused.value.changes and refused.value.changes[0].after != refused.value.changes[0].before
    assert LegalStatus.objects.get(pk=status.pk).intervention_type == "supervision_order"


def test_correcting_a_recorded_fact_without_a_version_is_a_programming_error(cast, family):
    status = LegalStatus.objects.filter(member=family.children[0]).get()
    with pytest.raises(TypeError):
        services.child_fact_record(user=cast.worker, fact=status)


def test_a_stale_correction_of_a_risk_assessment_is_refused(cast, family):
    assessment = family.risk_assessments.get()
    read = assessment.lock_version
    first = RiskAssessment.objects.get(pk=assessment.pk)
    first.risk_level = "high"
    services.risk_assessment_record(user=cast.worker, assessment=first, lock_version=read)
    second = RiskAssessment.objects.get(pk=assessment.pk)
    second.notes = "Leader's note"
    with pytest.raises(StaleEdit, match="Risk level: Moderate → High"):
        services.risk_assessment_record(user=cast.leader, assessment=second, lock_version=read)
    assert RiskAssessment.objects.get(pk=assessment.pk).notes == ""


# --- The API: the version is shown, required on a change, and a stale one answers 409 ------------


def test_api_case_change_needs_the_version_and_a_stale_one_answers_409_with_the_change(client, cast, family):
    client.force_login(cast.worker)
    url = f"/api/cases/{family.reference}/"
    read = client.get(url).json()["lock_version"]

    missing = client.patch(url, {"phase": Phase.ONGOING_INTERVENTION}, content_type="application/json")
    assert missing.status_code == 400 and "lock_version" in missing.json()

    ok = client.patch(url, {"phase": Phase.ONGOING_INTERVENTION, "lock_version": read}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["lock_version"] == read + 1

    stale = client.patch(url, {"phase": Phase.CASE_PLANNING, "lock_version": read}, content_type="application/json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["lock_version"] == read + 1
    assert {"field": "Phase", "before": "Case planning", "after": "Ongoing intervention"} in body["changes"]
    family.refresh_from_db()
    assert family.phase == Phase.ONGOING_INTERVENTION


def test_api_member_change_needs_both_versions(client, cast, family):
    client.force_login(cast.worker)
    parent = family.parents[0]
    url = f"/api/members/{parent.pk}/"
    read = client.get(url).json()
    no_person_version = client.patch(url, {"lock_version": read["lock_version"], "person": {
        "given_name": "Renamed", "family_name": "Parent"}}, content_type="application/json")
    assert no_person_version.status_code == 400 and "lock_version" in no_person_version.json()["person"]
    ok = client.patch(url, {"lock_version": read["lock_version"], "person": {
        "given_name": "Renamed", "family_name": "Parent", "lock_version": read["person"]["lock_version"]}},
        content_type="application/json")
    assert ok.status_code == 200, ok.content
    stale = client.patch(url, {"lock_version": read["lock_version"], "relationship": "aunt"},
                         content_type="application/json")
    assert stale.status_code == 409
    assert CaseMember.objects.get(pk=parent.pk).relationship == "mother"


def test_api_stale_child_fact_and_risk_assessment_answer_409(client, cast, family):
    client.force_login(cast.worker)
    status = LegalStatus.objects.filter(member=family.children[0]).get()
    url = f"/api/legal-statuses/{status.pk}/"
    read = client.get(url).json()["lock_version"]
    assert client.patch(url, {"intervention_type": "supervision_order", "lock_version": read},
                        content_type="application/json").status_code == 200
    assert client.patch(url, {"intervention_type": "ipa", "lock_version": read},
                        content_type="application/json").status_code == 409
    assessment = family.risk_assessments.get()
    url = f"/api/risk-assessments/{assessment.pk}/"
    assert client.patch(url, {"notes": "x"}, content_type="application/json").status_code == 400
    read = client.get(url).json()["lock_version"]
    assert client.patch(url, {"notes": "first", "lock_version": read},
                        content_type="application/json").status_code == 200
    assert client.patch(url, {"notes": "second", "lock_version": read},
                        content_type="application/json").status_code == 409
    assert RiskAssessment.objects.get(pk=assessment.pk).notes == "first"
