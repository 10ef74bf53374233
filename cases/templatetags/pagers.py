"""The previous/next links under every paginated list (case lists, case plans due, the
provider directory): one piece of markup, keeping the list's other query parameters."""

from django import template

register = template.Library()


@register.inclusion_tag("_pager.html", takes_context=True)
def pager(context, page, noun: str = "", path: str = ""):
    """``page`` is a Django Page; ``noun`` names the items in the count ("cases"); ``path``
    is where the links point (default: the current page)."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    return {"page": page, "noun": noun, "path": path, "query": query.urlencode()}
