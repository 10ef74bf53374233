"""Idle sign-out: what counts as activity, how long a session has left, and the two
endpoints the page's idle timer calls.

A signed-in session ends ``SESSION_IDLE_MINUTES`` after the last *activity*: a request the
worker made (a page, a form sent, "Stay signed in"). Requests the page makes by itself —
the contact form's draft autosave, the timer asking how long is left — are *background*:
they are served, but they neither record activity nor push the session's expiry, so a
laptop left on an open form signs out like any other. A request is background when the
page says so (``X-Casework-Background`` header) or when its view is marked ``@background``
(the server does not rely on the page for its own autosave).

The last activity is kept in the session (``LAST_ACTIVITY``, seconds since the epoch); the
session row's expiry follows it because the session is saved only on activity
(``SESSION_SAVE_EVERY_REQUEST = False``; ``IdleSignOutMiddleware`` records activity)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from casework.offline import CLEAR_SITE_DATA

BACKGROUND_HEADER = "X-Casework-Background"
# Every response to a signed-in session tells the page how many seconds it has left.
REMAINING_HEADER = "X-Casework-Session-Remaining"
LAST_ACTIVITY = "casework_last_activity"


def background(view):
    """Mark a view the page calls by itself: serving it is not activity."""
    view.casework_background = True
    return view


def is_background(request) -> bool:
    return bool(request.headers.get(BACKGROUND_HEADER)) or getattr(request, "casework_background", False)


def idle_seconds() -> int:
    return settings.SESSION_IDLE_MINUTES * 60


def _now() -> float:
    return timezone.now().timestamp()


def signed_in_by_session(request) -> bool:
    """A staff member's browser session (not a token, not a sending system)."""
    session = getattr(request, "session", None)
    return session is not None and SESSION_KEY in session


def seconds_left(request) -> int | None:
    """Seconds until this session signs out for inactivity; None before its first activity."""
    last = request.session.get(LAST_ACTIVITY)
    if last is None:
        return None
    return int(last + idle_seconds() - _now())


def record_activity(request) -> None:
    request.session[LAST_ACTIVITY] = _now()


def signed_out_message() -> str:
    return f"You were signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity."


def signed_out_response(request, next_url: str | None = None):
    """After an idle sign-out: the page's own requests (autosave, htmx, the API) get 401 and
    the page then goes to sign in; a page the worker asked for goes to the sign-in page,
    which says why and leads back."""
    if request.headers.get(BACKGROUND_HEADER) or request.headers.get("HX-Request") or request.path.startswith("/api/"):
        return JsonResponse({"detail": signed_out_message(), "signed_out": True}, status=401)
    query = {"expired": "1"}
    next_url = next_url or request.get_full_path()
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        query["next"] = next_url
    return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode(query)}")


@background
@require_GET
def session_status(request):
    """How long the session has left, asked by the page's timer before it signs out (another
    tab may have been used meanwhile). Background: asking does not extend the session."""
    left = seconds_left(request)
    return JsonResponse({"remaining_seconds": idle_seconds() if left is None else max(0, left)})


@login_not_required
@require_POST
def session_idle_sign_out(request):
    """The page's timer signs out here when the idle time is up (after saving any draft):
    the session ends now, and the sign-in page says why and leads back to ``next``. Also
    answers a session that has already ended (the laptop slept past the deadline)."""
    logout(request)
    # A sign-out like the button's: the browser forgets what it kept (issue 16, casework.offline).
    response = signed_out_response(request, next_url=request.POST.get("next") or "")
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


session_idle_sign_out.casework_idle_exempt = True  # the middleware leaves it to say where to go next
