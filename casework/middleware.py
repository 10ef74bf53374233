"""Middleware of the whole site: what every response and every request goes through.

- ``NoStoreMiddleware``: nothing Django serves is kept by a browser or a proxy.
- ``RequestBodyLimitMiddleware``: a body over ``REQUEST_BODY_MAX_BYTES`` answers 413 unread
  (an attachment's upload: over ``ATTACHMENT_MAX_BYTES`` and its form).
- ``IdleSignOutMiddleware``: a session ends after ``SESSION_IDLE_MINUTES`` without activity;
  the page's own background requests (draft autosave) are not activity.
- ``RefuseNulMiddleware``: a NUL character in the address answers 400 with the reason.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseBadRequest, JsonResponse

from casework import sessions

NO_STORE = "no-store, private"
# The routes that take an attachment's bytes: the page's form and the API's create.
_UPLOAD_PATH = re.compile(r"^/(cases/[^/]+/attachments/new|api/attachments)/$")
UPLOAD_FORM_ALLOWANCE = 64 * 1024


class NoStoreMiddleware:
    """Every response Django serves says ``Cache-Control: no-store, private``.

    Case pages, PDFs, CSV exports and API answers are about children and families, and
    laptops are shared: a browser's cache or back button, or a proxy, must not keep them.
    One rule for all responses (the sign-in page, redirects and errors too) rather than a
    header per view, so a new view cannot forget it. Static files are the exception, and
    WhiteNoise, which serves them, sits before this middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Replaces what a view set (never_cache adds max-age=0 etc.: no-store already covers it).
        response["Cache-Control"] = NO_STORE
        return response


class RequestBodyLimitMiddleware:
    """Refuses a request whose body is larger than ``REQUEST_BODY_MAX_BYTES`` with 413 and a
    JSON reason, before anything reads it.

    Django's own limit (``DATA_UPLOAD_MAX_MEMORY_SIZE``, set to the same number) applies only
    when a view reads ``request.body`` or ``request.POST``; the API's parsers read the stream
    directly and would take a 30 MB body. The declared length is what counts: Django never
    reads past it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_BODY_MAX_BYTES
        if _UPLOAD_PATH.search(request.path_info):
            # A document being attached may be as large as ATTACHMENT_MAX_BYTES, plus its form.
            limit = max(limit, settings.ATTACHMENT_MAX_BYTES + UPLOAD_FORM_ALLOWANCE)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if length > limit:
            return JsonResponse({"detail": f"The request body is too large: {length} bytes, the limit is {limit} "
                                           "bytes. Nothing was read or stored."}, status=413)
        return self.get_response(request)


class IdleSignOutMiddleware:
    """Signs a browser session out ``SESSION_IDLE_MINUTES`` after its last activity, and
    tells every response how long is left (``X-Casework-Session-Remaining``) so the page's
    timer follows the server's clock, not its own guess.

    Activity is any request that is not background (see ``casework.sessions``): it is
    recorded after the view ran, so the sign-in itself starts the clock. Between
    ``AuthenticationMiddleware`` (it needs the user) and ``LoginRequiredMiddleware`` (a
    session it ends is then sent to sign in like any other)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if sessions.signed_in_by_session(request):
            if not sessions.is_background(request):
                sessions.record_activity(request)
            left = sessions.seconds_left(request)
            if left is not None:
                response[sessions.REMAINING_HEADER] = str(max(0, left))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "casework_background", False):
            request.casework_background = True
        if sessions.signed_in_by_session(request):
            left = sessions.seconds_left(request)
            if left is None or left > 0:
                return None
            logout(request)
            return None if getattr(view_func, "casework_idle_exempt", False) else sessions.signed_out_response(request)
        if getattr(view_func, "login_required", True) and (
                self._session_just_expired(request) or request.headers.get(sessions.BACKGROUND_HEADER)):
            # The session row expired with the idle time (its expiry follows the last activity),
            # or the page's own request arrived without a session: the same answer as an idle
            # sign-out, so the page and the sign-in page can say why.
            return sessions.signed_out_response(request)
        return None

    @staticmethod
    def _session_just_expired(request) -> bool:
        """The browser sent a session cookie that no longer names a session (it expired, and
        the cookie is removed with this response)."""
        session = getattr(request, "session", None)
        return (session is not None and settings.SESSION_COOKIE_NAME in request.COOKIES
                and session.is_empty())


NUL_REASON = "The address contains a NUL character (\\0), which no search, filter or reference can hold."


class RefuseNulMiddleware:
    """A NUL character in the path or the query string answers 400 with the reason.

    PostgreSQL can neither store nor compare text holding NUL, so a search, a filter or a
    reference with one would otherwise reach the database and fail there (a server error).
    Form and API bodies are checked field by field (Django's and DRF's fields refuse NUL)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                         for key, values in request.GET.lists()):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_REASON}, status=400)
            return HttpResponseBadRequest(NUL_REASON, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
