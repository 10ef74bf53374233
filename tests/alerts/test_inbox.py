"""The alerts inbox of a busy team leader: a pager that keeps the filters, alerts grouped
by kind, bulk acknowledgement of one's own alerts, and one date format."""

import pytest

from alerts.models import Alert, AlertStatus
from alerts.services import AlertSpec, alerts_raise_many
from tests.conftest import make_family_case


@pytest.fixture
def busy(cast):
    """A team leader with 60 record-review alerts and 3 shortfall alerts; one alert of someone else."""
    case = make_family_case(cast.worker, children=1)
    specs = [AlertSpec(key=f"review:{n}", kind="record_alert_review", title=f"Review {n:02d} of {case.reference}",
                       recipient_ids=(cast.leader.pk,), case_id=case.pk) for n in range(60)]
    specs += [AlertSpec(key=f"short:{n}", kind="contact_shortfall", title=f"Shortfall {n} of {case.reference}",
                        recipient_ids=(cast.leader.pk,), case_id=case.pk) for n in range(3)]
    specs.append(AlertSpec(key="theirs", kind="contact_shortfall", title="Someone else's",
                           recipient_ids=(cast.other_team_leader.pk,), case_id=case.pk))
    alerts_raise_many(specs)
    return case


def test_the_inbox_pages_through_every_alert_keeping_the_filter(client, cast, busy):
    client.force_login(cast.leader)
    first = client.get("/alerts/?kind=record_alert_review").content.decode()
    assert "Page 1 of 2 (60 alerts)" in first
    assert 'href="/alerts/?status=new&amp;kind=record_alert_review&amp;page=2"' in first
    second = client.get("/alerts/?status=new&kind=record_alert_review&page=2").content.decode()
    shown = sum(f"Review {n:02d} " in first + second for n in range(60))
    assert shown == 60 and "Shortfall" not in second


def test_alerts_are_grouped_by_kind_with_counts_that_filter(client, cast, busy):
    client.force_login(cast.leader)
    page = client.get("/alerts/").content.decode()
    assert 'href="/alerts/?status=new&amp;kind=record_alert_review">Record alert review due (60)</a>' in page
    assert 'href="/alerts/?status=new&amp;kind=contact_shortfall">Contact shortfall (3)</a>' in page


def test_bulk_acknowledge_the_chosen_alerts_or_all_of_a_filter_and_never_anyone_elses(client, cast, busy):
    client.force_login(cast.leader)
    mine = list(Alert.objects.filter(kind="contact_shortfall", alertrecipient__user=cast.leader).order_by("pk"))
    theirs = Alert.objects.get(key="theirs")
    response = client.post("/alerts/acknowledge/", {"alert": [mine[0].pk, mine[1].pk, theirs.pk]}, follow=True)
    assert "2 alerts acknowledged." in response.content.decode()
    assert {a.status for a in Alert.objects.filter(pk__in=[mine[0].pk, mine[1].pk])} == {AlertStatus.ACKNOWLEDGED}
    assert Alert.objects.get(pk=theirs.pk).status == AlertStatus.NEW
    assert Alert.objects.get(pk=mine[2].pk).status == AlertStatus.NEW

    response = client.post("/alerts/acknowledge/", {"all": "1", "status": "new", "kind": "record_alert_review"},
                           follow=True)
    assert "60 alerts acknowledged." in response.content.decode()
    assert not Alert.objects.filter(kind="record_alert_review", status=AlertStatus.NEW).exists()
    assert Alert.objects.get(pk=mine[2].pk).status == AlertStatus.NEW

    nothing = client.post("/alerts/acknowledge/", {}, follow=True)
    assert "Choose the alerts to acknowledge." in nothing.content.decode()


def test_bulk_acknowledge_is_set_based(client, cast, busy, django_assert_max_num_queries):
    client.force_login(cast.leader)
    ids = list(Alert.objects.filter(alertrecipient__user=cast.leader).values_list("pk", flat=True))
    with django_assert_max_num_queries(8):
        client.post("/alerts/acknowledge/", {"alert": ids})
    assert not Alert.objects.filter(alertrecipient__user=cast.leader, status=AlertStatus.NEW).exists()


def test_the_inbox_runs_the_same_queries_for_ten_or_sixty_alerts(client, cast, busy, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.leader)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries("/alerts/?kind=contact_shortfall") == queries("/alerts/?kind=record_alert_review")
