"""Security basics: sign-in lock-out (django-axes), idle session expiry with a warning and
a keepalive, the Content-Security-Policy header, production settings passing
`check --deploy`, and Django's password validators."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests import factories as f

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_sign_in_works_with_the_right_password(client, cast):
    response = _sign_in(client, "worker", f.PASSWORD)
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 200


def test_repeated_failed_sign_ins_lock_the_account_out_even_with_the_right_password(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _sign_in(client, "worker", "wrong password")
        assert response.status_code == 200 and b"Please enter a correct username and password" in response.content
    locked = _sign_in(client, "worker", "wrong password")
    assert locked.status_code in (403, 429)
    assert b"locked" in locked.content.lower()
    after = _sign_in(client, "worker", f.PASSWORD)
    assert after.status_code in (403, 429)
    assert client.get("/cases/").status_code == 302  # still signed out


def test_a_lock_out_of_one_username_does_not_lock_out_colleagues(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "worker", "wrong password")
    assert _sign_in(client, "colleague", f.PASSWORD).status_code == 302


def _environment(**env) -> dict:
    """This process's environment without what tests set for themselves (browser tests allow
    async-unsafe calls, which the deploy check rightly flags)."""
    unset = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    return {k: v for k, v in os.environ.items() if k not in unset} | env


def _settings_in_subprocess(code: str, **env) -> subprocess.CompletedProcess:
    environment = _environment(**env, DJANGO_SETTINGS_MODULE="casework.settings")
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=120)


def test_the_session_cookie_age_follows_the_idle_minutes_setting():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    # Only activity saves the session (and so pushes its expiry), not the page's background requests.
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert "casework.middleware.IdleSignOutMiddleware" in settings.MIDDLEWARE
    result = _settings_in_subprocess("from django.conf import settings; print(settings.SESSION_COOKIE_AGE)",
                                     SESSION_IDLE_MINUTES="45")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2700"


def test_an_idle_time_shorter_than_the_warning_fails_at_start():
    result = _settings_in_subprocess("pass", SESSION_IDLE_MINUTES="2", SESSION_WARNING_MINUTES="5")
    assert result.returncode != 0
    assert "SESSION_IDLE_MINUTES" in result.stderr


def test_pages_carry_the_idle_warning_and_its_timings(client, cast):
    client.force_login(cast.worker)
    html = client.get("/cases/").content.decode()
    assert 'id="idle-warning"' in html and 'role="alertdialog"' in html
    assert f'data-idle-seconds="{settings.SESSION_IDLE_MINUTES * 60}"' in html
    assert f'data-warning-seconds="{settings.SESSION_WARNING_MINUTES * 60}"' in html
    assert 'data-keepalive-url="/session/keepalive/"' in html
    assert "Stay signed in" in html


def test_the_sign_in_page_has_no_idle_timer(client):
    html = client.get("/accounts/login/").content.decode()
    assert "data-idle-seconds" not in html


def test_the_keepalive_pushes_the_session_expiry_forward(client, cast):
    client.force_login(cast.worker)
    response = client.post("/session/keepalive/")
    assert response.status_code == 200 and response.json() == {"ok": True}
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value  # saved because the keepalive is activity, so the idle clock restarts
    assert client.session.get_expiry_age() == settings.SESSION_IDLE_MINUTES * 60


def test_the_keepalive_only_answers_posts_from_signed_in_users(client, cast):
    response = client.post("/session/keepalive/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(cast.worker)
    assert client.get("/session/keepalive/").status_code == 405


def test_pages_send_a_content_security_policy_without_inline_scripts(client, cast):
    client.force_login(cast.worker)
    response = client.get("/cases/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in response.content.decode()


def test_production_settings_pass_the_deploy_check_without_warnings():
    environment = _environment(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="example.org")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_in_subprocess("pass", DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_cookies_are_secure_and_hsts_is_on():
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_HTTPONLY)")
    result = _settings_in_subprocess(code, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(60),
                                     ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 5


@pytest.mark.parametrize("weak", ["password", "12345678", "short1"])
def test_weak_passwords_are_rejected(cast, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=cast.worker)


def test_a_password_like_the_username_is_rejected(cast):
    with pytest.raises(ValidationError, match="similar"):
        validate_password("worker12", user=cast.worker)


def test_a_strong_password_is_accepted(cast):
    validate_password("blue-kettle-orchard-7-lantern", user=cast.worker)
