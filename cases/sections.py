"""The case page's documents section (registered in ``CasesConfig.ready`` like other apps' sections)."""

from cases import selectors
from cases.permissions import Action, can


def attachments_section(request, case):
    """Every attachment of the case, on the case or any of its records (two queries)."""
    return {"attachments": list(selectors.attachments_of(case)), "can_attach": can(request.user, Action.EDIT, case)}
