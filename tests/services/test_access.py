"""Every services page and endpoint tried by each member of the cast on each position of
case: invisible → 404, visible but not allowed → 403, as for the case pages."""

import pytest

from services.models import Referral, Service, ServiceProvider
from tests.cases.test_access import EDITORS, POSITIONS, VISIBLE
from tests.services.conftest import grant_delegate, make_referral

ROLES = list(VISIBLE)


def _expected(role, position, needed):
    if position not in VISIBLE[role]:
        return 404
    return 200 if needed == "view" or role in EDITORS else 403


def _pages(case, referral):
    base = f"/services/cases/{case.reference}/referrals/{referral.pk}/"
    return [
        ("view", f"/cases/{case.reference}/"),
        ("view", base),
        ("edit", f"/services/cases/{case.reference}/referrals/new/"),
        ("edit", base + "edit/"),
        ("edit", base + "status/sent/"),
        ("edit", base + "status/withdrawn/"),
        ("edit", base + "cost/"),
        ("edit", base + "information/"),
        ("edit", base + "plan/"),
        ("edit", base + "updates/new/"),
        ("edit", base + "alternatives/"),
        ("view", f"/api/referrals/{referral.pk}/"),
    ]


@pytest.fixture
def referrals(cast, cases, directory):
    return {position: make_referral(case, directory["paid"], case.caseworker) for position, case in cases.items()}


@pytest.mark.parametrize("role", ROLES)
def test_referral_pages_answer_by_role_and_position(client, cast, cases, referrals, role):
    client.force_login(getattr(cast, role))
    for position in POSITIONS:
        for needed, url in _pages(cases[position], referrals[position]):
            assert client.get(url).status_code == _expected(role, position, needed), (role, position, url)


@pytest.mark.parametrize("role", ROLES)
def test_referral_writes_follow_the_same_rules_on_pages_and_api(client, cast, cases, referrals, role):
    client.force_login(getattr(cast, role))
    for position in POSITIONS:
        case, referral = cases[position], referrals[position]
        expected = _expected(role, position, "edit")
        page = client.post(f"/services/cases/{case.reference}/referrals/{referral.pk}/status/withdrawn/",
                           {"on": "2020-01-01", "note": ""})
        # Allowed people see the form again (the reason is missing); the others 404/403.
        assert page.status_code == expected, (role, position)
        api = client.post(f"/api/referrals/{referral.pk}/transition/", {"status": "withdrawn", "note": "Not needed"},
                          content_type="application/json")
        assert api.status_code == expected, (role, position, api.content)
        assert Referral.objects.get(pk=referral.pk).status == ("withdrawn" if expected == 200 else "draft")


@pytest.mark.parametrize("role", ROLES)
def test_referral_lists_show_exactly_the_visible_cases(client, cast, cases, referrals, role):
    client.force_login(getattr(cast, role))
    listed = {row["case"] for row in client.get("/api/referrals/").json()["results"]}
    assert listed == {cases[p].reference for p in VISIBLE[role]}


@pytest.mark.parametrize("role", ROLES)
def test_creating_a_referral_through_the_api_needs_edit_on_the_case(client, cast, cases, directory, role):
    client.force_login(getattr(cast, role))
    for position in POSITIONS:
        case = cases[position]
        response = client.post("/api/referrals/", {"case": case.reference, "service": directory["free"].pk,
                                                   "people": [case.parents[0].pk], "reason": "Support"},
                               content_type="application/json")
        expected = _expected(role, position, "edit")
        # An invisible case is "no such case" (400 on create, like the case API); visible but read-only: 403.
        assert response.status_code == {404: 400, 403: 403, 200: 201}[expected], (role, position, response.content)
        assert Referral.objects.filter(case=case).exists() == (expected == 200)


@pytest.mark.parametrize("role", ROLES)
def test_the_directory_is_read_by_all_staff(client, cast, directory, role):
    client.force_login(getattr(cast, role))
    provider = directory["paid"].provider
    assert client.get("/services/").status_code == 200
    assert client.get(f"/services/providers/{provider.pk}/").status_code == 200
    assert client.get("/api/service-providers/").status_code == 200
    assert client.get(f"/api/services/{directory['paid'].pk}/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_write_the_directory_through_the_api(client, cast, directory, role):
    client.force_login(getattr(cast, role))
    created = client.post("/api/service-providers/", {"name": f"New provider {role}"}, content_type="application/json")
    changed = client.patch(f"/api/services/{directory['free'].pk}/", {"typical_wait_days": 99},
                           content_type="application/json")
    is_admin = role == "administrator"
    assert created.status_code == (201 if is_admin else 403)
    assert changed.status_code == (200 if is_admin else 403)
    assert ServiceProvider.objects.filter(name=f"New provider {role}").exists() == is_admin
    assert (Service.objects.get(pk=directory["free"].pk).typical_wait_days == 99) == is_admin
    assert client.delete(f"/api/services/{directory['free'].pk}/").status_code in (403, 405)
    assert Service.objects.filter(pk=directory["free"].pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_approvals_page_is_for_financial_delegates_only_and_tells_others_who_approves(client, cast, role):
    from tests import factories as f

    delegate = grant_delegate(f.UserFactory(role="manager", first_name="Dana", last_name="Delegate"))
    user = getattr(cast, role)
    client.force_login(user)
    refused = client.get("/services/approvals/")
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "Only a financial delegate approves referral payments" in text
    assert delegate.get_full_name() in text and "Page not found" not in text
    assert "Approve" not in text
    client.force_login(grant_delegate(user))
    assert client.get("/services/approvals/").status_code == 200


def test_the_demo_agency_has_a_financial_delegate(db):
    from cases import demo
    from services.demo import ensure_financial_delegates
    from services.selectors import is_financial_delegate

    agency = demo.ensure_agency()
    ensure_financial_delegates()
    delegates = [username for role, username in agency.signins if "financial delegate" in role.lower()]
    assert delegates
    from cases.models import User
    user = User.objects.get(username=delegates[0])
    assert is_financial_delegate(user) and not user.is_superuser


def test_a_delegate_decides_only_on_cases_they_see(client, cast, cases, referrals):
    from decimal import Decimal

    from services import services as svc

    approvals = {p: svc.referral_cost_request(user=cases[p].caseworker, referral=referrals[p],
                                              cost_per_session=Decimal("120"), sessions=2, payment_method="invoice")
                 for p in POSITIONS}
    delegate = grant_delegate(cast.manager)  # sees own, team and other_team (office 1)
    client.force_login(delegate)
    page = client.get("/services/approvals/").content.decode()
    for position in POSITIONS:
        assert (cases[position].reference in page) == (position in VISIBLE["manager"])
    response = client.post(f"/services/approvals/{approvals['other_office'].pk}/decide/", {"decision": "approve"})
    assert response.status_code == 404
    api = client.post(f"/api/referrals/{referrals['other_office'].pk}/cost-decision/", {"approve": True},
                      content_type="application/json")
    assert api.status_code == 404
    client.post(f"/services/approvals/{approvals['own'].pk}/decide/", {"decision": "approve", "comment": "ok"})
    approvals["own"].refresh_from_db()
    assert approvals["own"].status == "approved" and approvals["own"].decided_by == delegate


def test_a_non_delegate_cannot_decide_through_page_or_api(client, cast, cases, referrals):
    from decimal import Decimal

    from services import services as svc

    approval = svc.referral_cost_request(user=cast.worker, referral=referrals["own"], cost_per_session=Decimal("1"),
                                         sessions=1, payment_method="invoice")
    client.force_login(cast.leader)
    assert client.post(f"/services/approvals/{approval.pk}/decide/", {"decision": "approve"}).status_code == 404
    api = client.post(f"/api/referrals/{referrals['own'].pk}/cost-decision/", {"approve": True},
                      content_type="application/json")
    assert api.status_code == 403
    approval.refresh_from_db()
    assert approval.status == "pending"


def test_anonymous_visitors_are_sent_to_sign_in(client, cases, referrals):
    response = client.get("/services/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/referrals/").status_code in (401, 403)


def test_the_directory_pages_keep_the_search_and_name_one_page(client, cast, directory):
    provider = directory["free"].provider
    Service.objects.bulk_create([Service(provider=provider, name=f"Parenting group {i:02}", service_type="parenting",
                                         area_served="Riverbend Heights", cost_per_session=0) for i in range(60)])
    client.force_login(cast.worker)
    second = client.get("/services/?service_type=parenting&area=Riverbend&page=2").content.decode()
    assert "Page 2 of 2" in second
    assert 'href="?service_type=parenting&amp;area=Riverbend&amp;page=1"' in second
    assert second.count("page=") == 1  # the link to page 1 only: the old page number is not carried along
