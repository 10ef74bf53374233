"""Pages and endpoints: bad input keeps what was typed and saves nothing, refused status
changes answer 400 with the reason, list pages cost a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from services import services as svc
from services.demo import PROVIDERS, seed
from services.models import CommunicationPlan, CostApproval, Referral, Service, ServiceProvider
from tests.services.conftest import make_referral


def _url(referral, tail=""):
    return f"/services/cases/{referral.case.reference}/referrals/{referral.pk}/{tail}"


# --- Bad input on pages --------------------------------------------------------------------


def test_a_referral_without_people_is_refused_and_the_reason_typed_is_kept(client, cast, family, directory):
    client.force_login(cast.worker)
    response = client.post(f"/services/cases/{family.reference}/referrals/new/",
                           {"service": directory["free"].pk, "reason": "Typed reason that must survive"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Typed reason that must survive" in html and "This field is required" in html
    assert not Referral.objects.exists()


def test_a_self_referral_without_support_given_is_refused_on_the_page(client, cast, family, directory):
    client.force_login(cast.worker)
    response = client.post(f"/services/cases/{family.reference}/referrals/new/", {
        "service": directory["free"].pk, "people": [family.parents[0].pk], "reason": "Need",
        "self_referral": "on", "self_referred_by": family.parents[0].pk})
    assert "Record the support given" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_person_of_another_case_cannot_be_posted_into_a_referral(client, cast, cases, directory):
    client.force_login(cast.worker)
    response = client.post(f"/services/cases/{cases['own'].reference}/referrals/new/", {
        "service": directory["free"].pk, "people": [cases["team"].parents[0].pk], "reason": "Need"})
    assert response.status_code == 200 and "valid choice" in response.content.decode()
    assert not Referral.objects.exists()


def test_creating_a_referral_on_the_page_goes_to_the_new_draft(client, cast, family, directory):
    client.force_login(cast.worker)
    response = client.post(f"/services/cases/{family.reference}/referrals/new/", {
        "service": directory["free"].pk, "people": [family.parents[0].pk], "reason": "Parenting support"})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(referral)
    assert referral.created_by == cast.worker and list(referral.people.all()) == [family.parents[0]]


def test_sending_a_paid_referral_before_approval_shows_why_and_changes_nothing(client, cast, family, directory):
    referral = make_referral(family, directory["paid"], cast.worker)
    client.force_login(cast.worker)
    response = client.post(_url(referral, "status/sent/"), {"on": timezone.localdate().isoformat(),
                                                            "note": "Typed note"})
    html = response.content.decode()
    assert response.status_code == 200 and "financial delegate" in html and "Typed note" in html
    assert Referral.objects.get(pk=referral.pk).status == "draft"


def test_a_step_the_table_does_not_allow_is_explained_before_the_form_is_filled(client, cast, family, directory):
    referral = make_referral(family, directory["free"], cast.worker)
    client.force_login(cast.worker)
    html = client.get(_url(referral, "status/completed/")).content.decode()
    assert "A referral that is draft cannot become completed" in html
    assert client.get(_url(referral, "status/nonsense/")).status_code == 404


def test_a_bad_cost_keeps_the_typed_values(client, cast, family, directory):
    referral = make_referral(family, directory["paid"], cast.worker)
    client.force_login(cast.worker)
    response = client.post(_url(referral, "cost/"), {"cost_per_session": "-5", "sessions": "7",
                                                     "payment_method": "invoice"})
    html = response.content.decode()
    assert response.status_code == 200 and 'value="7"' in html and 'value="-5"' in html
    assert not CostApproval.objects.exists()


def test_a_communication_plan_with_a_bad_interval_is_refused(client, cast, family, directory):
    referral = make_referral(family, directory["free"], cast.worker, "active")
    client.force_login(cast.worker)
    response = client.post(_url(referral, "plan/"), {
        "provider_contact_name": "Sam Typed", "method": "phone", "every_days": "0",
        "started_on": timezone.localdate().isoformat(), "invited_to_reviews": "on"})
    html = response.content.decode()
    assert "1 to 365" in html and "Sam Typed" in html
    assert not CommunicationPlan.objects.exists()


def test_the_delegate_declines_without_a_comment_and_is_told_why(client, cast, family, directory, delegate):
    referral = make_referral(family, directory["paid"], cast.worker)
    approval = svc.referral_cost_request(user=cast.worker, referral=referral, cost_per_session=Decimal("120"),
                                         sessions=3, payment_method="invoice")
    client.force_login(delegate)
    response = client.post(f"/services/approvals/{approval.pk}/decide/", {"decision": "decline"}, follow=True)
    assert "reason for declining" in response.content.decode()
    assert CostApproval.objects.get(pk=approval.pk).status == "pending"


def test_the_referral_page_shows_the_history_cost_and_plan(client, cast, family, directory, delegate):
    referral = make_referral(family, directory["paid"], cast.worker, "active", approver=delegate)
    svc.communication_plan_save(user=cast.worker, referral=referral, provider_contact_name="Jo Provider",
                                method="meeting", every_days=14, next_review_on=timezone.localdate())
    client.force_login(cast.worker)
    html = client.get(_url(referral)).content.decode()
    for text in ("Jo Provider", "Approved by", "$720.00", "Accepted → Active", "Service completed"):
        assert text in html, text


# --- API -------------------------------------------------------------------------------------


def test_api_refuses_a_step_outside_the_table_with_the_reason(client, cast, family, directory):
    referral = make_referral(family, directory["free"], cast.worker)
    client.force_login(cast.worker)
    response = client.post(f"/api/referrals/{referral.pk}/transition/", {"status": "active"},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("A referral that is draft cannot become active")
    assert Referral.objects.get(pk=referral.pk).status == "draft"
    assert referral.status_changes.count() == 1


def test_api_patch_of_status_follows_the_table_and_is_all_or_nothing(client, cast, family, directory):
    referral = make_referral(family, directory["paid"], cast.worker)
    client.force_login(cast.worker)
    response = client.patch(f"/api/referrals/{referral.pk}/", {"status": "sent", "reason": "Changed reason",
                                                                 "lock_version": referral.lock_version},
                            content_type="application/json")
    assert response.status_code == 400 and "financial delegate" in response.json()["detail"]
    referral.refresh_from_db()
    assert (referral.status, referral.reason) == ("draft", "Parenting support as in the case plan")


def test_api_walks_a_free_referral_to_active(client, cast, family, directory):
    client.force_login(cast.worker)
    created = client.post("/api/referrals/", {"case": family.reference, "service": directory["free"].pk,
                                              "people": [family.parents[0].pk], "reason": "Support"},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    for status in ("sent", "accepted", "active"):
        response = client.post(f"/api/referrals/{pk}/transition/", {"status": status},
                               content_type="application/json")
        assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "active" and body["active_on"] == timezone.localdate().isoformat()
    assert [c["to_status"] for c in body["status_changes"]] == ["draft", "sent", "accepted", "active"]


def test_api_cost_approval_and_decision(client, cast, family, directory, delegate):
    referral = make_referral(family, directory["paid"], cast.worker)
    client.force_login(cast.worker)
    asked = client.post(f"/api/referrals/{referral.pk}/cost-approval/", {
        "cost_per_session": "120.00", "sessions": 4, "payment_method": "invoice"}, content_type="application/json")
    assert asked.status_code == 201 and asked.json()["total"] == "480.00"
    own = client.post(f"/api/referrals/{referral.pk}/cost-decision/", {"approve": True},
                      content_type="application/json")
    assert own.status_code == 403  # the worker is no delegate
    client.force_login(delegate)
    decided = client.post(f"/api/referrals/{referral.pk}/cost-decision/", {"approve": True, "comment": "Fine"},
                          content_type="application/json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    again = client.post(f"/api/referrals/{referral.pk}/cost-decision/", {"approve": True},
                        content_type="application/json")
    assert again.status_code == 400


def test_api_refuses_people_of_another_case(client, cast, cases, directory):
    client.force_login(cast.worker)
    response = client.post("/api/referrals/", {"case": cases["own"].reference, "service": directory["free"].pk,
                                               "people": [cases["team"].parents[0].pk], "reason": "Support"},
                           content_type="application/json")
    # A member of another case answers like one that does not exist (issue 12).
    assert response.status_code == 400 and "does not exist" in response.json()["people"][0]
    assert not Referral.objects.exists()


def test_api_directory_write_validates(client, cast, directory):
    client.force_login(cast.administrator)
    response = client.post("/api/services/", {"provider": directory["free"].provider_id, "name": "Bad cost",
                                              "service_type": "health", "area_served": "Anywhere",
                                              "cost_per_session": "-1"}, content_type="application/json")
    assert response.status_code == 400
    assert not Service.objects.filter(name="Bad cost").exists()


# --- Directory search ---------------------------------------------------------------------------


def test_the_directory_searches_by_type_and_area(client, cast, directory):
    client.force_login(cast.worker)
    html = client.get("/services/?service_type=counselling&area=kestrel").content.decode()
    assert "Family counselling" in html and "Parenting program" not in html
    html = client.get("/services/?area=riverbend").content.decode()
    assert "Parenting program" in html and "Family counselling" not in html
    directory["free"].active = False
    directory["free"].save()
    assert "Parenting program" not in client.get("/services/").content.decode()


# --- Query counts -----------------------------------------------------------------------------


def _many_referrals(cast, cases, directory, delegate, per_case):
    for position, case in cases.items():
        if position == "other_office":  # outside the delegate's offices
            continue
        for _ in range(per_case):
            referral = make_referral(case, directory["paid"], case.caseworker, "active", approver=delegate)
            svc.communication_plan_save(user=case.caseworker, referral=referral, provider_contact_name="Sam",
                                        method="phone", every_days=14)
            svc.provider_update_record(user=case.caseworker, referral=referral, received_on=timezone.localdate(),
                                       method="phone", summary="Fine")
        svc.referral_cost_request(user=case.caseworker, referral=make_referral(case, directory["paid"],
                                                                               case.caseworker),
                                  cost_per_session=Decimal("120"), sessions=2, payment_method="invoice")


@pytest.mark.parametrize("per_case", [1, 4])
def test_list_pages_cost_a_fixed_number_of_queries(client, cast, cases, directory, delegate, per_case,
                                                   django_assert_max_num_queries):
    _many_referrals(cast, cases, directory, delegate, per_case)
    for i in range(30):
        ServiceProvider.objects.create(name=f"Extra {i}").services.create(
            name="Extra", service_type="other", area_served="Anywhere")
    client.force_login(delegate)
    with django_assert_max_num_queries(12):
        assert client.get("/services/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/services/approvals/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/api/referrals/").status_code == 200
    client.force_login(cast.worker)
    referral = Referral.objects.filter(case=cases["own"], status="active").first()
    with django_assert_max_num_queries(20):
        assert client.get(_url(referral)).status_code == 200


def test_the_case_page_section_costs_the_same_for_1_or_4_referrals(client, cast, cases, directory, delegate):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.worker)
    client.get(f"/cases/{cases['own'].reference}/")  # the contacts section stores this month on first sight
    counts = []
    for per_case in (1, 3):
        _many_referrals(cast, cases, directory, delegate, per_case)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(f"/cases/{cases['own'].reference}/").content.decode()
        counts.append(len(captured))
        assert "Services working with the family" in html
    assert counts[0] == counts[1]


# --- Demo data --------------------------------------------------------------------------------


def test_demo_seed_is_fictional_idempotent_and_cheap_at_scale(cast, cases):
    from types import SimpleNamespace

    agency = SimpleNamespace()
    seed(agency, list(cases.values()), scale=True)
    assert ServiceProvider.objects.count() == len(PROVIDERS) and not Referral.objects.exists()
    seed(agency, list(cases.values()), scale=False)
    seed(agency, [], scale=False)
    assert ServiceProvider.objects.count() == len(PROVIDERS)
    referrals = list(Referral.objects.all())
    assert referrals and all(r.case_id in {c.pk for c in cases.values()} for r in referrals)
    assert all(not r.service.costs_money for r in referrals)
    for referral in referrals:
        assert referral.people.exists() and referral.status_changes.exists()
        assert referral.people.first().case_id == referral.case_id
    active = [r for r in referrals if r.status == "active"]
    assert all(r.active_on and r.active_on <= timezone.localdate() for r in active)
    assert all(timezone.localdate() - dt.timedelta(days=400) < r.active_on for r in active)


def test_api_records_family_information_communication_plan_and_updates(client, cast, family, directory, cases):
    referral = make_referral(family, directory["free"], cast.worker, "active")
    client.force_login(cast.worker)
    base = f"/api/referrals/{referral.pk}/"
    info = client.post(base + "family-information/", {"given_to": [family.parents[0].pk],
                                                      "given_on": timezone.localdate().isoformat(),
                                                      "method": "phone", "details": "Mondays 9am, walk-in"},
                       content_type="application/json")
    assert info.status_code == 200, info.content
    plan = client.post(base + "communication-plan/", {"provider_contact_name": "Sam", "method": "email",
                                                     "every_days": 10, "next_review_on": "2030-01-01"},
                      content_type="application/json")
    assert plan.status_code == 200, plan.content
    assert plan.json()["next_update_due"] == (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    referral.refresh_from_db()
    assert referral.next_review_on == dt.date(2030, 1, 1)
    update = client.post(base + "updates/", {"received_on": timezone.localdate().isoformat(), "method": "phone",
                                             "summary": "Going well"}, content_type="application/json")
    assert update.status_code == 201, update.content
    bad = client.post(base + "family-information/", {"given_to": [cases["team"].parents[0].pk],
                                                     "given_on": timezone.localdate().isoformat(),
                                                     "method": "phone", "details": "x"},
                      content_type="application/json")
    assert bad.status_code == 400 and "does not exist" in bad.json()["given_to"][0]
    assert referral.family_information.count() == 1
    client.force_login(cast.manager)
    assert client.post(base + "updates/", {"received_on": timezone.localdate().isoformat(), "method": "phone",
                                           "summary": "x"}, content_type="application/json").status_code == 403
