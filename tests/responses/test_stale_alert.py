"""Two people reviewing or ending the same record alert: the second is refused, the first kept."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from responses import services
from responses.models import RecordAlert


def _alert(family, user):
    return services.record_alert_create(user=user, case=family, person=None, category="medical", severity="low",
                                        details="Epipen in the car", starts_on=timezone.localdate())


def test_ending_an_alert_someone_reviewed_since_is_refused_with_their_change_and_my_reason_kept(client, cast,
                                                                                                 family):
    alert = _alert(family, cast.worker)
    base = f"/responses/cases/{family.reference}/alerts/{alert.pk}/"
    client.force_login(cast.leader)
    opened = client.get(base + "end/").content.decode()
    read = int(re.search(r'name="lock_version" value="(\d+)"', opened).group(1))
    next_review = timezone.localdate() + dt.timedelta(days=30)
    services.record_alert_review(user=cast.worker, alert=RecordAlert.objects.get(pk=alert.pk), case=family,
                                 next_review_on=next_review, details="Epipen now in the school bag", lock_version=read)

    page = client.post(base + "end/", {"reason": "Allergy outgrown", "on": timezone.localdate().isoformat(),
                                       "lock_version": read})

    html = page.content.decode()
    assert page.status_code == 400 and "saved this alert after you opened it" in html
    assert "Epipen now in the school bag" in html and "Allergy outgrown" in html
    assert RecordAlert.objects.get(pk=alert.pk).ended_on is None


def test_api_review_needs_the_version_and_a_stale_one_answers_409(client, cast, family):
    alert = _alert(family, cast.worker)
    client.force_login(cast.worker)
    url = f"/api/record-alerts/{alert.pk}/review/"
    next_review = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    body = {"case": family.reference, "next_review_on": next_review}
    assert client.post(url, body, content_type="application/json").status_code == 400
    read = client.get(f"/api/record-alerts/{alert.pk}/").json()["lock_version"]
    assert client.post(url, {**body, "lock_version": read}, content_type="application/json").status_code == 200
    stale = client.post(f"/api/record-alerts/{alert.pk}/end/", {"case": family.reference, "reason": "Gone",
                                                                 "lock_version": read},
                        content_type="application/json")
    assert stale.status_code == 409 and stale.json()["lock_version"] == read + 1
    assert RecordAlert.objects.get(pk=alert.pk).ended_on is None


def test_two_people_ticking_the_same_response_step_keep_the_first_tick_and_note(cast, family):
    from cases.services import CaseworkError
    from tests.responses.conftest import new_concern

    response = new_concern(family, cast.worker)
    services.response_step_complete(user=cast.worker, response=response, code="view")
    services.response_step_complete(user=cast.worker, response=response, code="assess", note="Home visit made")
    with pytest.raises(CaseworkError, match="already done"):
        services.response_step_complete(user=cast.leader, response=response, code="assess", note="Phoned instead")
    step = response.steps.get(code="assess")
    assert (step.done_by, step.note) == (cast.worker, "Home visit made")
