"""Two people changing the same draft referral: the second is refused, the first kept."""

import re

import pytest

from services import services as referral_services
from services.models import Referral
from tests.services.conftest import make_referral


@pytest.fixture
def draft(cast, family, directory):
    return make_referral(family, directory["free"], cast.worker)


def test_second_save_of_a_draft_referral_is_refused_with_the_first_change_shown(client, cast, family, draft):
    url = f"/services/cases/{family.reference}/referrals/{draft.pk}/edit/"
    client.force_login(cast.leader)
    opened = client.get(url).content.decode()
    read = int(re.search(r'name="lock_version" value="(\d+)"', opened).group(1))
    referral_services.referral_update(user=cast.worker, referral=draft, reason="Parenting support, weekly",
                                      lock_version=read)

    page = client.post(url, {"service": draft.service_id, "people": [family.parents[0].pk],
                             "reason": "The leader's typed reason", "lock_version": read})

    html = page.content.decode()
    assert "saved this referral after you opened it" in html
    assert "Parenting support, weekly" in html and "leader&#x27;s typed reason" in html
    assert Referral.objects.get(pk=draft.pk).reason == "Parenting support, weekly"


def test_api_referral_change_needs_the_version_and_a_stale_one_answers_409(client, cast, draft):
    client.force_login(cast.worker)
    url = f"/api/referrals/{draft.pk}/"
    assert client.patch(url, {"reason": "x"}, content_type="application/json").status_code == 400
    read = client.get(url).json()["lock_version"]
    assert client.patch(url, {"reason": "First", "lock_version": read},
                        content_type="application/json").status_code == 200
    stale = client.patch(url, {"reason": "Second", "lock_version": read}, content_type="application/json")
    assert stale.status_code == 409
    assert {"field": "Reason for the referral", "before": "Parenting support as in the case plan", "after": "First"} \
        in stale.json()["changes"]
    assert Referral.objects.get(pk=draft.pk).reason == "First"
