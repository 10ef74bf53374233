"""A team leader with a full inbox: groups by kind, ticks and acknowledges some, acknowledges
the rest of a kind at once, and pages through."""

import pytest

from alerts.models import Alert, AlertStatus
from alerts.services import AlertSpec, alerts_raise_many
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_team_leader_works_through_a_full_inbox(page, sign_in, cast):
    case = make_family_case(cast.worker, children=1)
    alerts_raise_many([AlertSpec(key=f"review:{n}", kind="record_alert_review", title=f"Review {n:02d} of {case.reference}",
                                 recipient_ids=(cast.leader.pk,), case_id=case.pk) for n in range(55)]
                      + [AlertSpec(key=f"short:{n}", kind="contact_shortfall", title=f"Shortfall {n} of {case.reference}",
                                   recipient_ids=(cast.leader.pk,), case_id=case.pk) for n in range(3)])
    sign_in(cast.leader)
    page.goto("/alerts/")
    assert_accessible(page)
    page.get_by_role("link", name="Contact shortfall (3)").click()
    page.wait_for_url("**kind=contact_shortfall")
    page.get_by_label("Tick Shortfall 0 of").check()
    page.get_by_label("Tick Shortfall 1 of").check()
    page.get_by_role("button", name="Acknowledge the ticked alerts").click()
    page.get_by_text("2 alerts acknowledged.").wait_for()
    assert Alert.objects.filter(kind="contact_shortfall", status=AlertStatus.NEW).count() == 1

    page.get_by_role("link", name="Record alert review due (55)").click()
    assert "Page 1 of 2 (55 alerts)" in page.content()
    page.get_by_role("link", name="Next").click()
    page.get_by_text("Page 2 of 2").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Acknowledge all 55 shown of this kind").click()
    page.get_by_text("55 alerts acknowledged.").wait_for()
    assert not Alert.objects.filter(kind="record_alert_review", status=AlertStatus.NEW).exists()
    assert_accessible(page)
