"""A referral names the case-plan action it serves; only actions of the same case's plan."""

import pytest

from cases.services import CaseworkError
from services import services as referral_services
from services.models import Referral
from tests.caseplans.conftest import draft_plan
from tests.conftest import make_family_case


def test_a_referral_serves_an_action_of_the_cases_plan(client, cast, directory):
    case = make_family_case(cast.worker)
    action = draft_plan(case, cast.worker).actions.first()
    client.force_login(cast.worker)
    form = client.get(f"/services/cases/{case.reference}/referrals/new/").context["form"]
    assert action in form.fields["plan_action"].queryset
    referral = referral_services.referral_create(user=cast.worker, case=case, service=directory["free"],
                                                 people=case.parents, reason="Parenting support",
                                                 plan_action=action)
    assert referral.plan_action == action
    page = client.get(f"/services/cases/{case.reference}/referrals/{referral.pk}/").content.decode()
    assert "Case-plan action it serves" in page and action.what in page
    api = client.get(f"/api/referrals/{referral.pk}/").json()
    assert api["plan_action"] == action.pk


def test_an_action_of_another_cases_plan_is_refused(cast, directory):
    case, other = make_family_case(cast.worker), make_family_case(cast.worker)
    foreign = draft_plan(other, cast.worker).actions.first()
    with pytest.raises(CaseworkError, match="this case's plan"):
        referral_services.referral_create(user=cast.worker, case=case, service=directory["free"],
                                          people=case.parents, reason="Parenting support", plan_action=foreign)
    assert not Referral.objects.exists()
