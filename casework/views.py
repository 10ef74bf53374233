"""Helpers shared by the apps' views."""

from django.contrib.auth.decorators import login_not_required

from cases.services import CaseworkError


def save_or_form_error(form, write):
    """Run a service; a domain error becomes a form error, so the page shows the message and
    keeps everything typed. Returns the service's result, or None when it was refused."""
    try:
        return write()
    except CaseworkError as error:
        form.add_error(None, str(error))
        return None


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("img/favicon.svg"), permanent=True)
