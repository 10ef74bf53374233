"""Reference data in the Django admin, and a session that has been idle too long."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from cases.models import Role, User

pytestmark = pytest.mark.django_db


def test_a_session_idle_longer_than_the_limit_is_signed_out(client, cast, settings):
    client.force_login(cast.worker)
    assert client.get("/cases/").status_code == 200
    key = client.session.session_key
    left = Session.objects.get(pk=key).expire_date - timezone.now()
    assert abs(left.total_seconds() - settings.SESSION_IDLE_MINUTES * 60) < 60  # pushed forward by the request
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_administrator_adds_a_caseworker_with_role_and_team_in_one_step(client, cast):
    admin = cast.administrator
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.post("/admin/cases/user/add/", {
        "username": "new.worker", "password1": "blue-kettle-orchard-7", "password2": "blue-kettle-orchard-7",
        "usable_password": "true", "first_name": "Nia", "last_name": "Selwyn", "email": "nia@example.org",
        "role": Role.CASEWORKER, "team": cast.team_a.pk,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new.worker")
    assert (user.role, user.team, user.get_full_name()) == (Role.CASEWORKER, cast.team_a, "Nia Selwyn")


def test_the_admin_refuses_a_weak_password_for_new_staff(client, cast):
    cast.administrator.is_superuser = True
    cast.administrator.save()
    client.force_login(cast.administrator)
    response = client.post("/admin/cases/user/add/", {
        "username": "weak.worker", "password1": "password", "password2": "password", "usable_password": "true",
        "role": Role.CASEWORKER})
    assert response.status_code == 200 and "too common" in response.content.decode()
    assert not User.objects.filter(username="weak.worker").exists()


@pytest.mark.parametrize("url", ["/admin/cases/office/", "/admin/cases/team/", "/admin/cases/user/"])
def test_reference_data_is_in_the_admin_for_administrators_only(client, cast, url):
    client.force_login(cast.worker)
    assert client.get(url).status_code == 302  # not staff: sent to the admin sign-in
    cast.administrator.is_superuser = True
    cast.administrator.save()
    client.force_login(cast.administrator)
    assert client.get(url).status_code == 200


def test_case_records_are_not_edited_in_the_admin(client, cast):
    cast.administrator.is_superuser = True
    cast.administrator.save()
    client.force_login(cast.administrator)
    assert client.get("/admin/cases/case/").status_code == 404


def test_the_lock_out_page_says_for_how_long_and_how_many_attempts(client, cast, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": cast.worker.username, "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": cast.worker.username, "password": "wrong-password"})
    html = response.content.decode()
    assert response.status_code == 429
    assert f"after {settings.AXES_FAILURE_LIMIT} failed attempts" in html
    assert f"Try again in {round(settings.AXES_COOLOFF_TIME * 60)} minutes" in html
