"""A person in more than one case, and finding cases by reference or name — always within
what the user may see."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import CaseMember, Person
from cases.services import CaseworkError, member_add
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _member_post(person_id, role="carer", joined_on=None, **extra):
    return {"person": person_id, "member-role": role, "member-relationship": "grandmother",
            "member-joined_on": (joined_on or TODAY).isoformat(), **extra}


def test_a_person_already_in_a_visible_case_is_found_by_name_and_added_to_another(client, cast, cases):
    grandmother = cases["team"].parents[0].person
    client.force_login(cast.worker)
    own = cases["own"]

    found = client.get(f"/cases/{own.reference}/members/new/", {"find": f"{grandmother.given_name} "
                                                                         f"{grandmother.family_name}"})
    assert [p.pk for p in found.context["matches"]] == [grandmother.pk]
    assert cases["team"].reference in found.content.decode()

    people_before = Person.objects.count()
    response = client.post(f"/cases/{own.reference}/members/new/", _member_post(grandmother.pk))
    assert response.status_code == 302
    assert set(grandmother.memberships.values_list("case__reference", flat=True)) == {
        cases["team"].reference, own.reference}
    assert Person.objects.count() == people_before  # the same person, not a copy


def test_people_of_cases_one_may_not_see_are_not_found_and_cannot_be_added(client, cast, cases):
    stranger = cases["other_office"].parents[0].person
    Person.objects.filter(pk=stranger.pk).update(given_name="Xanthe", family_name="Outofreach")
    client.force_login(cast.worker)
    own = cases["own"]
    found = client.get(f"/cases/{own.reference}/members/new/", {"find": "Xanthe"})
    assert found.context["matches"] == []
    assert "Outofreach" not in found.content.decode()
    assert client.get(f"/cases/{own.reference}/members/new/", {"person": stranger.pk}).status_code == 404
    assert client.post(f"/cases/{own.reference}/members/new/", _member_post(stranger.pk)).status_code == 404
    assert not CaseMember.objects.filter(case=own, person=stranger).exists()
    with pytest.raises(CaseworkError, match="No such person"):
        member_add(user=cast.worker, case=own, person=stranger, role="carer", joined_on=TODAY)


def test_people_already_in_the_case_are_not_offered_again(client, cast, cases):
    own = cases["own"]
    parent = own.parents[0].person
    client.force_login(cast.worker)
    found = client.get(f"/cases/{own.reference}/members/new/", {"find": parent.given_name})
    assert parent.pk not in [p.pk for p in found.context["matches"]]
    response = client.post(f"/cases/{own.reference}/members/new/", _member_post(parent.pk))
    assert response.status_code == 200
    assert "already a member of this case" in response.content.decode()
    assert own.members.filter(person=parent).count() == 1


def test_adding_an_existing_person_with_a_bad_date_keeps_the_choice_and_saves_nothing(client, cast, cases):
    person = cases["team"].parents[0].person
    own = cases["own"]
    client.force_login(cast.worker)
    before = own.opened_on - dt.timedelta(days=1)
    response = client.post(f"/cases/{own.reference}/members/new/", _member_post(person.pk, joined_on=before))
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot join the case before it opened" in html
    assert f'name="person" value="{person.pk}"' in html
    assert 'value="grandmother"' in html
    assert not CaseMember.objects.filter(case=own, person=person).exists()


def test_the_api_adds_an_existing_visible_person_and_refuses_an_invisible_one(client, cast, cases):
    client.force_login(cast.worker)
    own = cases["own"]
    visible = cases["team"].parents[0].person
    invisible = cases["other_office"].parents[0].person
    body = {"case": own.reference, "role": "family", "relationship": "aunt", "joined_on": TODAY.isoformat()}

    refused = client.post("/api/members/", {**body, "existing_person": invisible.pk}, content_type="application/json")
    assert refused.status_code == 400
    missing = client.post("/api/members/", {**body, "existing_person": 999999}, content_type="application/json")
    # An invisible person answers exactly like one that does not exist.
    assert refused.json()["existing_person"][0].replace(str(invisible.pk), "N") == \
        missing.json()["existing_person"][0].replace("999999", "N")

    both = client.post("/api/members/", {**body, "existing_person": visible.pk,
                                         "person": {"given_name": "A", "family_name": "B"}},
                       content_type="application/json")
    assert both.status_code == 400 and "either" in both.json()["person"][0]

    added = client.post("/api/members/", {**body, "existing_person": visible.pk}, content_type="application/json")
    assert added.status_code == 201, added.content
    assert added.json()["person"]["id"] == visible.pk
    assert CaseMember.objects.filter(case=own, person=visible, relationship="aunt").exists()
    assert not CaseMember.objects.filter(person=invisible, case=own).exists()


def test_one_persons_details_corrected_in_one_case_show_in_the_other(client, cast, cases):
    person = cases["team"].parents[0].person
    member_add(user=cast.worker, case=cases["own"], person=person, role="family", joined_on=TODAY)
    person.language = "Vietnamese"
    person.interpreter_required = True
    from cases.services import person_save
    person_save(user=cast.worker, person=person, case=cases["own"], lock_version=person.lock_version)
    client.force_login(cast.colleague)
    assert "Interpreter: Vietnamese" in client.get(f"/cases/{cases['team'].reference}/").content.decode()


# --- Search ------------------------------------------------------------------------------------


@pytest.fixture
def named(cast, cases):
    """Give each case's first child a distinct name to search for."""
    names = {"own": ("Ava", "Marlow"), "team": ("Noah", "Quill"), "other_team": ("Ava", "Quill"),
             "other_office": ("Mia", "Marlow")}
    for position, (given, family) in names.items():
        Person.objects.filter(pk=cases[position].children[0].person_id).update(given_name=given, family_name=family)
    return cases


def _listed(client, **params):
    response = client.get("/cases/", {"scope": "", **params})
    return {c.reference for c in response.context["page"]}


def test_search_by_reference_finds_the_case(client, cast, named):
    client.force_login(cast.worker)
    reference = named["team"].reference
    assert _listed(client, q=reference) == {reference}
    assert _listed(client, q=reference.lower()[-6:]) == {reference}


def test_search_by_name_matches_every_word_within_visible_cases_only(client, cast, named):
    client.force_login(cast.worker)
    assert _listed(client, q="Marlow") == {named["own"].reference}  # Mia Marlow is in another office
    assert _listed(client, q="ava marlow") == {named["own"].reference}
    assert _listed(client, q="Quill") == {named["team"].reference}  # Ava Quill is in another team
    client.force_login(cast.manager)
    assert _listed(client, q="Quill") == {named["team"].reference, named["other_team"].reference}
    client.force_login(cast.other_office_manager)
    assert _listed(client, q="Marlow") == {named["other_office"].reference}


def test_names_of_invisible_cases_never_appear_in_search_results(client, cast, named):
    client.force_login(cast.worker)
    response = client.get("/cases/", {"q": "Mia", "scope": ""}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Mia" not in html and named["other_office"].reference not in html
    assert "No cases match" in html


def test_the_htmx_search_returns_only_the_rows(client, cast, named):
    client.force_login(cast.worker)
    response = client.get("/cases/", {"q": "Ava", "scope": ""}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.templates[0].name == "cases/_case_rows.html"
    assert "<html" not in html and named["own"].reference in html
    assert named["other_team"].reference not in html


def test_my_cases_shows_only_allocated_cases_by_default_for_a_caseworker(client, cast, cases):
    client.force_login(cast.worker)
    response = client.get("/cases/")
    assert {c.reference for c in response.context["page"]} == {cases["own"].reference}
    assert "My cases" in response.content.decode()


def test_a_team_leader_filters_by_team_and_a_manager_sees_the_offices_teams(client, cast, cases):
    cast.leader.led_teams.add(cast.team_b)
    client.force_login(cast.leader)
    assert _listed(client) == {cases[p].reference for p in ("own", "team", "other_team")}
    assert _listed(client, team=cast.team_b.pk) == {cases["other_team"].reference}
    client.force_login(cast.manager)
    response = client.get("/cases/")
    assert {t.pk for t in response.context["teams"]} == {cast.team_a.pk, cast.team_b.pk}
    # A team outside what one may see filters to nothing rather than revealing its cases.
    assert _listed(client, team=cast.team_c.pk) == set()


def test_closed_cases_are_listed_only_when_asked(client, cast, cases):
    from cases.models import Case

    Case.objects.filter(pk=cases["own"].pk).update(closed_on=TODAY, phase="closed")
    client.force_login(cast.worker)
    assert cases["own"].reference not in _listed(client)
    assert cases["own"].reference in _listed(client, closed="1")


def test_the_list_keeps_the_filters_when_paging(client, cast):
    for _ in range(51):
        case = f.CaseFactory(caseworker=cast.worker, team=cast.team_a)
        f.MemberFactory(case=case, person__given_name="Zed")
    client.force_login(cast.worker)
    html = client.get("/cases/", {"q": "Zed", "scope": "mine"}).content.decode()
    assert "Page 1 of 2" in html
    assert "q=Zed&amp;scope=mine&amp;page=2" in html


def test_editing_someone_in_several_cases_says_where_else_the_change_shows(client, cast, cases):
    person = cases["team"].parents[0].person
    member = member_add(user=cast.worker, case=cases["own"], person=person, role="family", joined_on=TODAY)
    client.force_login(cast.worker)
    url = f"/cases/{cases['own'].reference}/members/{member.pk}/edit/"
    assert f"also in {cases['team'].reference}" in client.get(url).content.decode()
    data = {"person-given_name": "Renamed", "person-family_name": person.family_name,
            "person-indigenous_status": "not_stated", "person-language": "English",
            "member-relationship": "aunt", "member-left_on": "", "person-lock_version": person.lock_version,
            "member-lock_version": member.lock_version}
    assert client.post(url, data).status_code == 302
    person.refresh_from_db()
    member.refresh_from_db()
    assert person.given_name == "Renamed" and member.relationship == "aunt"


def test_a_failed_person_edit_changes_neither_the_person_nor_the_membership(client, cast, cases):
    member = cases["own"].parents[0]
    client.force_login(cast.worker)
    data = {"person-given_name": "Changed", "person-family_name": "Family", "person-indigenous_status": "not_stated",
            "person-language": "English", "member-relationship": "aunt",
            "member-left_on": (member.joined_on - dt.timedelta(days=1)).isoformat(),
            "person-lock_version": member.person.lock_version, "member-lock_version": member.lock_version}
    response = client.post(f"/cases/{cases['own'].reference}/members/{member.pk}/edit/", data)
    assert response.status_code == 200 and "cannot be before the date joined" in response.content.decode()
    assert 'value="Changed"' in response.content.decode()
    member.refresh_from_db()
    member.person.refresh_from_db()
    assert member.person.given_name != "Changed" and member.relationship != "aunt"


def test_the_demo_agency_has_carers_who_belong_to_more_than_one_case(db):
    from django.db.models import Count

    from cases import demo

    agency = demo.ensure_agency()
    demo.create_cases(agency, 40, seed=1)
    shared = Person.objects.annotate(cases=Count("memberships")).filter(cases__gt=1)
    assert shared.exists()
    assert set(CaseMember.objects.filter(person__in=shared).values_list("role", flat=True)) == {"carer"}


def test_a_support_officer_starts_on_the_cases_they_work_not_an_empty_my_cases(client, cast, cases):
    client.force_login(cast.support_officer)
    listed = {c.reference for c in client.get("/cases/").context["page"]}
    assert listed == {cases["own"].reference, cases["team"].reference}


def test_a_manager_of_two_offices_filters_the_list_by_office(client, cast, cases):
    cast.manager.managed_offices.add(cast.team_c.office)
    client.force_login(cast.manager)
    page = client.get("/cases/")
    assert len(page.context["offices"]) == 2 and 'name="office"' in page.content.decode()
    assert _listed(client) == {cases[p].reference for p in cases}
    assert _listed(client, office=cast.team_c.office.pk) == {cases["other_office"].reference}
    client.force_login(cast.worker)
    assert 'name="office"' not in client.get("/cases/").content.decode()
