"""A child on a permanent care order (seed 000, 4.2): "There are no contact requirements with a
child who is subject to a Permanent care order and resides with their permanent guardian." —
recorded as the living arrangement "With their permanent guardian"; living anywhere else,
the child is seen monthly like a child in care. Shown on the month page."""

import pytest
from django.utils import timezone

from cases.models import Case, LivingArrangement
from contacts.recompute import case_months_recompute
from tests import factories as f
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def pco_case(cast):
    case = make_family_case(cast.worker, children=1, risk=None)
    case.guardian = f.MemberFactory(case=case, role="carer", relationship="Permanent guardian",
                                    joined_on=case.opened_on, person__given_name="Greta")
    case.children[0].legal_statuses.update(intervention_type="permanent_care")
    case.children[0].goals.update(goal="permanency")
    return case


def _living_with(client, case, kind):
    child, month = case.children[0], timezone.localdate().replace(day=1)
    response = client.post(f"/cases/{case.reference}/members/{child.pk}/living-arrangement/new/", {
        "kind": kind, "with_person": case.guardian.person_id, "effective_from": month.isoformat(),
        "end_current": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    case_months_recompute(cases=Case.objects.filter(pk=case.pk), month=month)
    return client.get(f"/contacts/case/{case.reference}/month/{month:%Y-%m}/").content.decode()


def test_the_form_offers_living_with_the_permanent_guardian(client, cast, pco_case):
    client.force_login(cast.worker)
    page = client.get(f"/cases/{pco_case.reference}/members/{pco_case.children[0].pk}/living-arrangement/new/")
    assert '<option value="permanent_guardian">With their permanent guardian</option>' in page.content.decode()


def test_living_with_the_permanent_guardian_the_month_has_no_requirement(client, cast, pco_case):
    client.force_login(cast.worker)
    page = _living_with(client, pco_case, "permanent_guardian")
    assert LivingArrangement.objects.filter(member=pco_case.children[0], kind="permanent_guardian",
                                            effective_to=None).exists()
    assert "No contact requirement this month." in page
    assert "permanent care order, living with their permanent guardian — no contact requirement." in page


def test_living_elsewhere_the_month_asks_for_a_monthly_visit_like_a_child_in_care(client, cast, pco_case):
    client.force_login(cast.worker)
    page = _living_with(client, pco_case, "in_care")
    child = pco_case.children[0].person.given_name
    assert f"Face-to-face with {child} by Child Safety staff" in page
    assert "0 of 1" in page and "No contact requirement this month." not in page
    assert "not living with their permanent guardian — seen monthly, like a child in care." in page


def test_the_permanent_guardian_must_be_named_and_belong_to_the_case(client, cast, pco_case):
    client.force_login(cast.worker)
    child = pco_case.children[0]
    url = f"/cases/{pco_case.reference}/members/{child.pk}/living-arrangement/new/"
    response = client.post(url, {"kind": "permanent_guardian", "effective_from": timezone.localdate().isoformat(),
                                 "end_current": "on"})
    assert "Name the permanent guardian the child lives with." in response.content.decode()
    response = client.post(url, {"kind": "permanent_guardian", "with_person": pco_case.parents[0].person_id,
                                 "effective_from": timezone.localdate().isoformat(), "end_current": "on"})
    assert "is recorded as parent" in response.content.decode()
    assert not LivingArrangement.objects.filter(member=child, kind="permanent_guardian").exists()
