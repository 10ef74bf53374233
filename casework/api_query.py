"""The API's list parameters refuse what they cannot read, as every other input does.

DRF and django-filter forgive by default: an ordering by an unknown field, a filter left
empty, ``active=maybe`` or ``page=`` are silently dropped and the whole list comes back,
which a client cannot tell from a filtered answer. Here each answers 400 (404 for a page,
as for a page beyond the last) naming the parameter and what it takes. Installed as the
defaults in ``settings.REST_FRAMEWORK``."""

from __future__ import annotations

from django import forms
from django.db import models
from django_filters import rest_framework as filters
from django_filters.widgets import BooleanWidget
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination

TRUE, FALSE = ("true", "True", "1"), ("false", "False", "0")


class StrictBooleanWidget(BooleanWidget):
    """Gives the field the text sent when it is neither true nor false, for the field to refuse."""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        return value or None


class StrictBooleanField(forms.NullBooleanField):
    widget = StrictBooleanWidget

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        raise forms.ValidationError("Give true or false.", code="invalid")


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs["widget"] = StrictBooleanWidget
        super().__init__(*args, **kwargs)


class StrictFilterSet(filters.FilterSet):
    FILTER_DEFAULTS = {**filters.FilterSet.FILTER_DEFAULTS,
                       models.BooleanField: {"filter_class": StrictBooleanFilter}}


class StrictFilterBackend(filters.DjangoFilterBackend):
    filterset_base = StrictFilterSet

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            empty = {name: ["Give a value, or leave the parameter out."] for name in filterset_class.base_filters
                     if request.query_params.get(name, None) == ""}
            if empty:
                raise ValidationError(empty)
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    def get_ordering(self, request, queryset, view):
        if request.query_params.get(self.ordering_param, None) == "":
            raise ValidationError({self.ordering_param: ["Give a field to order by, or leave the parameter out."]})
        return super().get_ordering(request, queryset, view)

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        unknown = [term for term in fields if term not in valid]
        if unknown:
            choices = ", ".join(name for name, _ in self.get_valid_fields(queryset, view, {"request": request}))
            raise ValidationError({self.ordering_param: [
                f"Cannot order by {', '.join(unknown)}: order by {choices} (a leading - for descending)."]})
        return valid


class StrictPageNumberPagination(PageNumberPagination):
    invalid_page_message = "Invalid page: {message}"

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param, None)
        if number is None:
            return 1
        if number in self.last_page_strings:
            return paginator.num_pages
        if not (number.isascii() and number.isdigit()) or int(number) < 1:
            raise NotFound("Invalid page: give a whole number from 1, or leave the parameter out.")
        return number
