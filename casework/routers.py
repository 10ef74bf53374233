"""The API's router: DRF's DefaultRouter, with numeric ids only where a viewset looks records
up by id. A malformed id ("null,null", "abc") then matches no route and answers 404, instead of
reaching the database as a number it is not (a server error)."""

from rest_framework.routers import DefaultRouter

ANY_VALUE, NUMBER = "[^/.]+", "[0-9]+"


class Router(DefaultRouter):
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        regex = super().get_lookup_regex(viewset, lookup_prefix)
        by_id = getattr(viewset, "lookup_field", "pk") in ("pk", "id")
        if by_id and getattr(viewset, "lookup_value_regex", None) is None:
            regex = regex.replace(ANY_VALUE, NUMBER)
        return regex
