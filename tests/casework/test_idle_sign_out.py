"""Idle sign-out that an open contact form cannot defeat: the draft autosave keeps what was
typed but is not activity, the server tells the page how long it has left, and at the idle
sign-out the draft is saved and offered again after signing in. The clock is pinned with
time-machine; nothing depends on the hour the suite runs at."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from casework.sessions import REMAINING_HEADER
from contacts.models import ContactDraft
from tests.contacts.conftest import visit_form
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

IDLE = dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES)
BACKGROUND = {"HTTP_X_CASEWORK_BACKGROUND": "autosave", "HTTP_HX_REQUEST": "true"}


@pytest.fixture
def family(cast):
    from tests.conftest import make_family_case

    return make_family_case(cast.worker, children=2, parents=1, risk="moderate")


class Clock:
    """Stands still where the test starts it; ``at(elapsed)`` moves it to that long after."""

    def __init__(self, traveller, start):
        self.traveller, self.start = traveller, start

    def at(self, elapsed: dt.timedelta):
        self.traveller.move_to(self.start + elapsed)


@pytest.fixture
def clock():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        yield Clock(traveller, start)


def _form_url(case):
    return f"/contacts/case/{case.reference}/new/"


def _autosave(client, case, data, *, marked_by_the_page=True):
    headers = BACKGROUND if marked_by_the_page else {"HTTP_HX_REQUEST": "true"}
    return client.post(f"/contacts/case/{case.reference}/draft/", data, **headers)


def _goes_to_sign_in(response):
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("marked_by_the_page", [True, False], ids=["header", "autosave-url"])
def test_autosaves_alone_do_not_keep_an_idle_session_signed_in(client, cast, family, clock, marked_by_the_page):
    client.force_login(cast.worker)
    assert client.get(_form_url(family)).status_code == 200  # the last thing the worker did
    data = visit_form(family, observations="Half a note")
    for elapsed in (dt.timedelta(minutes=10), dt.timedelta(minutes=20), IDLE - dt.timedelta(minutes=1)):
        clock.at(elapsed)
        answer = _autosave(client, family, data, marked_by_the_page=marked_by_the_page)
        assert answer.status_code == 200, answer.content
        data["draft"] = str(ContactDraft.objects.get().pk)
        data["observations"] += " more"
    clock.at(IDLE + dt.timedelta(seconds=1))
    page = client.get("/cases/")
    assert _goes_to_sign_in(page), page.status_code
    assert "expired=1" in page["Location"]
    # What was typed was kept all along.
    assert ContactDraft.objects.get().data["observations"] == "Half a note more more"


def test_pages_the_worker_opens_are_activity(client, cast, family, clock):
    client.force_login(cast.worker)
    assert client.get("/cases/").status_code == 200
    clock.at(IDLE - dt.timedelta(minutes=5))
    assert client.get(_form_url(family)).status_code == 200
    clock.at(IDLE + dt.timedelta(minutes=20))  # 25 minutes after the last page
    assert client.get("/cases/").status_code == 200
    clock.at(2 * IDLE + dt.timedelta(minutes=21))
    assert _goes_to_sign_in(client.get("/cases/"))


def test_the_server_tells_the_page_how_long_it_has_left_and_asking_does_not_extend_it(client, cast, family, clock):
    client.force_login(cast.worker)
    page = client.get(_form_url(family))
    assert page[REMAINING_HEADER] == str(int(IDLE.total_seconds()))
    assert f'data-idle-seconds="{int(IDLE.total_seconds())}"' in page.content.decode()
    clock.at(dt.timedelta(minutes=10))
    saved = _autosave(client, family, visit_form(family))
    assert saved[REMAINING_HEADER] == str(int((IDLE - dt.timedelta(minutes=10)).total_seconds()))
    clock.at(dt.timedelta(minutes=12))
    status = client.get("/session/status/", HTTP_X_CASEWORK_BACKGROUND="timer")
    left = int((IDLE - dt.timedelta(minutes=12)).total_seconds())
    assert status.json() == {"remaining_seconds": left} and status[REMAINING_HEADER] == str(left)
    clock.at(IDLE + dt.timedelta(seconds=1))
    assert client.get("/session/status/", HTTP_X_CASEWORK_BACKGROUND="timer").status_code == 401


def test_stay_signed_in_is_activity(client, cast, clock):
    client.force_login(cast.worker)
    client.get("/cases/")
    clock.at(IDLE - dt.timedelta(minutes=1))
    assert client.post("/session/keepalive/").status_code == 200
    clock.at(IDLE + dt.timedelta(minutes=10))
    assert client.get("/cases/").status_code == 200


def test_at_idle_sign_out_the_draft_is_saved_and_offered_after_signing_in_again(client, cast, family, clock):
    client.force_login(cast.worker)
    assert client.get(_form_url(family)).status_code == 200
    # The worker types, then leaves the laptop. Shortly before the deadline the page saves
    # the draft once more (a background request, the session is still valid) ...
    clock.at(IDLE - dt.timedelta(seconds=15))
    data = visit_form(family, observations="Mother said the boys sleep at their aunt's on Fridays")
    assert _autosave(client, family, data).status_code == 200
    draft = ContactDraft.objects.get()
    # ... and signs out, leading back to the form with the draft.
    resume = f"{_form_url(family)}?draft={draft.pk}"
    signed_out = client.post("/session/idle-sign-out/", {"next": resume})
    assert _goes_to_sign_in(signed_out)
    query = parse_qs(urlsplit(signed_out["Location"]).query)
    assert query == {"expired": ["1"], "next": [resume]}
    assert _goes_to_sign_in(client.get("/cases/"))  # the session really ended
    sign_in_page = client.get(signed_out["Location"]).content.decode()
    assert f"after {settings.SESSION_IDLE_MINUTES} minutes without activity" in sign_in_page
    assert "saved as a draft" in sign_in_page
    # Signing in again goes back to the form, filled in from the draft.
    clock.at(IDLE + dt.timedelta(hours=2))
    signed_in = client.post("/accounts/login/", {"username": cast.worker.username, "password": PASSWORD,
                                                 "next": resume})
    assert signed_in.status_code == 302 and signed_in["Location"] == resume
    form = client.get(resume).content.decode()
    assert "Mother said the boys sleep at their aunt&#x27;s on Fridays" in form
    assert "finish and save it below" in form
    assert family.reference in client.get("/contacts/drafts/").content.decode()


def test_an_autosave_after_the_deadline_is_refused_and_the_saved_draft_is_untouched(client, cast, family, clock):
    client.force_login(cast.worker)
    client.get(_form_url(family))
    data = visit_form(family, observations="Saved before the deadline")
    assert _autosave(client, family, data).status_code == 200
    data["draft"] = str(ContactDraft.objects.get().pk)
    clock.at(IDLE + dt.timedelta(minutes=5))  # the laptop slept through the deadline
    data["observations"] = "Typed by whoever opens the laptop"
    late = _autosave(client, family, data)
    assert late.status_code == 401 and late.json()["signed_out"] is True
    assert "without activity" in late.json()["detail"]
    assert ContactDraft.objects.get().data["observations"] == "Saved before the deadline"
    # The idle sign-out of a session that has already ended still leads to the sign-in page.
    signed_out = client.post("/session/idle-sign-out/", {"next": _form_url(family)})
    assert _goes_to_sign_in(signed_out) and "expired=1" in signed_out["Location"]


def test_the_idle_sign_out_never_leads_to_another_site(client, cast):
    client.force_login(cast.worker)
    signed_out = client.post("/session/idle-sign-out/", {"next": "https://evil.example/"})
    assert _goes_to_sign_in(signed_out) and "evil" not in signed_out["Location"]


def test_the_contact_form_marks_its_autosave_as_background(client, cast, family):
    client.force_login(cast.worker)
    html = client.get(_form_url(family)).content.decode()
    assert "X-Casework-Background" in html and "data-autosave" in html
