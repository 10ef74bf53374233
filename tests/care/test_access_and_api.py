"""Pages and endpoints of children in care: the fixed cast (who sees, who gets 404), bad input
(a clear message, nothing saved), and query counts of the list pages."""

import datetime as dt

import pytest
from django.utils import timezone

from care.models import CarerHousehold, CarerVisit, Placement, PlacementAgreement
from cases.models import LivingArrangement, LivingKind
from contacts.recompute import case_months_recompute
from tests.care.conftest import agree, household, place
from tests.cases.test_access import VISIBLE

pytestmark = pytest.mark.django_db
ROLES = list(VISIBLE)


@pytest.fixture
def placed(cast, cases):
    home = household()
    leaders = {"own": cast.leader, "other_team": cast.other_team_leader}
    placements = {}
    for position in ("own", "other_team"):
        placements[position] = place(cases[position], leaders[position], home)
        agree(placements[position], cases[position].caseworker)
    return home, placements


@pytest.mark.parametrize("role", ROLES)
def test_placement_pages_answer_404_to_whoever_may_not_see_the_case(client, cast, cases, placed, role):
    _, placements = placed
    client.force_login(getattr(cast, role))
    for position, placement in placements.items():
        reference = cases[position].reference
        for url in (f"/care/cases/{reference}/placements/{placement.pk}/",
                    f"/care/cases/{reference}/placements/{placement.pk}/visit/",
                    f"/care/cases/{reference}/placements/{placement.pk}/agreement/"):
            status = client.get(url).status_code
            if position not in VISIBLE[role]:
                assert status == 404, (role, url)
            elif url.endswith(f"/{placement.pk}/"):
                assert status == 200, (role, url)
            else:  # the forms need EDIT: managers see but do not record
                assert status == (403 if role == "manager" else 200), (role, url, status)
        api = client.get(f"/api/placements/{placement.pk}/").status_code
        assert api == (200 if position in VISIBLE[role] else 404), (role, position)


@pytest.mark.parametrize("role", ROLES)
def test_every_member_of_staff_reads_the_households_but_sees_only_the_placements_of_cases_they_see(
        client, cast, cases, placed, role):
    home, _ = placed
    client.force_login(getattr(cast, role))
    body = client.get(f"/care/households/{home.pk}/").content.decode()
    assert home.name in body
    for position in ("own", "other_team"):
        assert (cases[position].reference in body) == (position in VISIBLE[role]), (role, position)
    listed = client.get("/api/placements/").json()
    assert {row["case"] for row in listed["results"]} == {cases[p].reference for p in ("own", "other_team")
                                                          if p in VISIBLE[role]}
    assert client.get("/api/carer-households/").status_code == 200


def test_the_case_page_shows_the_placement_and_its_stability(client, cast, cases, placed):
    client.force_login(cast.worker)
    body = client.get(cases["own"].get_absolute_url()).content.decode()
    assert "Children in care" in body and "1 placement in 12 months" in body and placed[0].name in body


def test_the_team_and_manager_dashboards_count_unstable_placements(client, cast, cases):
    case = cases["own"]
    today = timezone.localdate()
    for n, days in enumerate((200, 100, 10)):
        place(case, cast.leader, household(f"Fictional household {n}"), start=today - dt.timedelta(days=days))
    client.force_login(cast.leader)
    body = client.get("/contacts/dashboard/").content.decode()
    assert "Placement stability" in body and "1 of 1 child in care" in body
    drill = client.get("/care/stability/").content.decode()
    assert case.reference in drill and "Child0" not in drill
    client.force_login(cast.worker)
    assert client.get("/care/stability/").status_code == 403


def test_only_team_leaders_managers_and_administrators_keep_households(client, cast, cases):
    data = {"name": "Fictional Smith household", "kind": "kinship", "office": cast.team_a.office_id,
            "approval_status": "approved", "approved_on": "2025-01-10"}
    client.force_login(cast.worker)
    assert client.post("/care/households/new/", data).status_code == 403
    assert client.post("/api/carer-households/", data, content_type="application/json").status_code == 403
    client.force_login(cast.leader)
    assert client.post("/care/households/new/", data).status_code == 302
    assert CarerHousehold.objects.filter(name="Fictional Smith household").exists()


@pytest.mark.parametrize("bad, message", [
    ({"approved_on": ""}, "Give the date the household was approved."),
    ({"approved_on": "2025-02-01", "approval_ends_on": "2025-01-01"}, "cannot end before"),
    ({"kind": "castle"}, "Select a valid choice"),
    ({"name": ""}, "This field is required"),
])
def test_a_bad_household_is_refused_with_a_message(client, cast, cases, bad, message):
    data = {"name": "Fictional Ito household", "kind": "foster", "office": cast.team_a.office_id,
            "approval_status": "approved", "approved_on": "2025-01-10", **bad}
    client.force_login(cast.leader)
    page = client.post("/care/households/new/", data)
    assert page.status_code == 200 and message in page.content.decode()
    api = client.post("/api/carer-households/", data, content_type="application/json")
    assert api.status_code == 400 and not CarerHousehold.objects.exists()


def _placement_form(case, home, leader, **more):
    return {"child": case.children[0].pk, "household": home.pk, "placement_type": "emergency",
            "start": timezone.localdate().isoformat(), "reason_for_change": "Not safe at home",
            "approved_by": leader.pk, **more}


def test_recording_a_placement_through_the_page_and_the_api(client, cast, cases):
    home = household()
    case = cases["own"]
    client.force_login(cast.worker)
    assert client.post(f"/care/cases/{case.reference}/placements/new/", _placement_form(case, home, cast.leader)
                       ).status_code == 302
    body = {"child": case.children[1].pk, "household": home.pk, "placement_type": "short_term",
            "start": timezone.localdate().isoformat(), "reason_for_change": "With the sibling",
            "approved_by": cast.leader.pk}
    answer = client.post("/api/placements/", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["case"] == case.reference and answer.json()["end"] is None
    assert LivingArrangement.objects.filter(kind=LivingKind.IN_CARE, member__case=case).count() == 2


@pytest.mark.parametrize("bad, message", [
    ({"approved_by": "other_leader"}, "Select a valid choice"),
    ({"reason_for_change": ""}, "This field is required"),
    ({"start": "next week"}, "Enter a valid date"),
    ({"start": "future"}, "not in advance"),
    ({"household": "not_approved"}, "not approved"),
    ({"child": "other_case"}, "Select a valid choice"),
])
def test_a_bad_placement_is_refused_and_nothing_saved(client, cast, cases, bad, message):
    case = cases["own"]
    home = household()
    values = {"other_leader": cast.other_team_leader.pk, "future": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
              "not_approved": household("Fictional assessing household", status="assessing").pk,
              "other_case": cases["other_team"].children[0].pk}
    bad = {k: values.get(v, v) for k, v in bad.items()}
    client.force_login(cast.worker)
    page = client.post(f"/care/cases/{case.reference}/placements/new/", _placement_form(case, home, cast.leader, **bad))
    assert page.status_code == 200 and message in page.content.decode(), page.content.decode()[:3000]
    api_body = _placement_form(case, home, cast.leader, **bad)
    api = client.post("/api/placements/", api_body, content_type="application/json")
    assert api.status_code in (400, 404), api.content
    assert not Placement.objects.exists() and not LivingArrangement.objects.filter(kind=LivingKind.IN_CARE).exists()


def test_the_agreement_page_and_endpoint_make_versions_and_refuse_bad_items(client, cast, cases, placed):
    _, placements = placed
    placement = placements["own"]
    url = f"/care/cases/{cases['own'].reference}/placements/{placement.pk}/agreement/"
    client.force_login(cast.worker)
    review = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    assert client.post(url, {"who_0": "carer", "what_0": "Attend school meetings", "review_on": review}).status_code == 302
    refused = client.post(url, {"who_0": "", "what_0": "Someone does something", "review_on": review})
    assert "Say who" in refused.content.decode()
    refused = client.post(url, {"review_on": review})
    assert "at least one activity" in refused.content.decode()
    answer = client.post("/api/placement-agreements/", {"placement": placement.pk, "review_on": review,
                                                        "items": [{"responsible": "parents", "what": "Phone weekly"}]},
                         content_type="application/json")
    assert answer.status_code == 201 and answer.json()["version"] == 3
    for body in ({"placement": placement.pk, "review_on": review, "items": []},
                 {"placement": placement.pk, "review_on": review, "items": [{"responsible": "aunt", "what": "x"}]},
                 {"placement": placements["other_team"].pk, "review_on": review,
                  "items": [{"responsible": "carer", "what": "x"}]}):
        assert client.post("/api/placement-agreements/", body, content_type="application/json").status_code == 400
    assert PlacementAgreement.objects.filter(placement=placement).count() == 3


def _visit_form(items, **more):
    now = timezone.localtime() - dt.timedelta(hours=1)
    data = {"occurred_on": now.date().isoformat(), "occurred_time": now.strftime("%H:%M"), "carer_names": "Mai",
            "support_given": "Listened and planned respite", **{f"check_{i.pk}": "on_track" for i in items}}
    data.update(more)
    return data


@pytest.mark.parametrize("bad, message", [
    ({"support_given": ""}, "This field is required"),
    ({"carer_names": ""}, "Name the carer you met."),
    ({"occurred_on": "2099-01-01"}, "cannot be recorded before it happened"),
    ({"check": "concern"}, "Say what the concern is."),
    ({"check": ""}, "This field is required"),
    ({"occurred_on": "2000-01-01"}, "outside the placement"),
])
def test_a_bad_carer_visit_is_refused_and_nothing_saved(client, cast, cases, placed, bad, message):
    placement = placed[1]["own"]
    items = list(placement.agreements.get().items.all())
    if "check" in bad:
        bad = {f"check_{items[0].pk}": bad["check"]}
    client.force_login(cast.worker)
    page = client.post(f"/care/cases/{cases['own'].reference}/placements/{placement.pk}/visit/",
                       _visit_form(items, **bad))
    assert page.status_code == 200 and message in page.content.decode()
    assert not CarerVisit.objects.exists()


def test_list_pages_run_a_fixed_number_of_queries(client, cast, cases, django_assert_max_num_queries):
    for n in range(6):
        home = household(f"Fictional household {n}")
        home.people.create(given_name=f"Carer{n}", family_name="Fictional")
        place(cases["own"], cast.leader, home, child=cases["own"].children[n % 2],
              start=timezone.localdate() - dt.timedelta(days=60 - n * 5))
    client.force_login(cast.leader)
    with django_assert_max_num_queries(12):
        assert client.get("/care/households/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/api/placements/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/care/stability/").status_code == 200


def test_the_case_page_shows_the_carer_line_apart_from_the_contact_requirement(client, cast, cases, placed):
    case = cases["own"]
    case_months_recompute(cases=type(case).objects.filter(pk=case.pk), month=timezone.localdate().replace(day=1))
    client.force_login(cast.worker)
    body = client.get(case.get_absolute_url()).content.decode()
    assert "counted separately from the contact requirement" in body
    assert f"Visit the carer of Child0 ({placed[0].name})" in body
