"""Helpers shared by the apps' views."""

from django.contrib.auth.decorators import login_not_required

from cases.errors import CaseworkError
from cases.locking import StaleEdit, carry_version


def save_or_form_error(form, write, *others):
    """Run a service; a domain error becomes a form error, so the page shows the message and
    keeps everything typed. Returns the service's result, or None when it was refused.

    A stale save (someone saved the record since the form opened) says what they changed, and
    the form of that record (``form`` or one of ``others`` on the same page) carries the current
    version, so saving again is a knowing choice."""
    try:
        return write()
    except StaleEdit as error:
        form.add_error(None, str(error))
        for each in (form, *others):
            carry_version(each, error)
        return None
    except CaseworkError as error:
        form.add_error(None, str(error))
        return None


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("img/favicon.svg"), permanent=True)


def not_found(request, exception=None):
    """An address that names nothing: the API answers in JSON like its other 404s (a malformed
    id such as ``/api/case-plans/abc/`` matches no route), pages with Django's own page."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": "Not found."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
