"""Helpers shared by the apps' views."""

from cases.services import CaseworkError


def save_or_form_error(form, write):
    """Run a service; a domain error becomes a form error, so the page shows the message and
    keeps everything typed. Returns the service's result, or None when it was refused."""
    try:
        return write()
    except CaseworkError as error:
        form.add_error(None, str(error))
        return None
