"""Middleware of the whole site: what every response and every request goes through.

- ``NoStoreMiddleware``: nothing Django serves is kept by a browser or a proxy.
"""

from __future__ import annotations

NO_STORE = "no-store, private"


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
