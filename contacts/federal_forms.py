"""The filters of the federal visit measure's drill-down and API (one validation for both)."""

from __future__ import annotations

import datetime as dt

from django import forms

from contacts import federal_dashboards

YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


class FederalFilterForm(forms.Form):
    month = forms.CharField(required=False, help_text="YYYY-MM, one of the last twelve complete months; "
                                                      "empty for all twelve")
    office = forms.CharField(required=False, max_length=120)
    team = forms.CharField(required=False, max_length=120)
    seen = forms.ChoiceField(required=False, choices=YES_NO, help_text="Seen by a caseworker that month")
    residence = forms.ChoiceField(required=False, choices=YES_NO,
                                  help_text="Of those seen: seen in the residence (no: seen only elsewhere)")

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.window = federal_dashboards.federal_months(today)

    def clean_month(self):
        text = self.cleaned_data["month"].strip()
        if not text:
            return None
        try:
            month = dt.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError("Give the month as YYYY-MM, for example 2026-03.") from None
        if month not in self.window:
            raise forms.ValidationError(f"Give one of the last twelve complete months, {self.window[0]:%Y-%m} to "
                                        f"{self.window[-1]:%Y-%m}.")
        return month

    def clean(self):
        data = super().clean()
        if data.get("seen") == "no" and data.get("residence"):
            raise forms.ValidationError("A child-month not seen by a caseworker has no visit in or outside the "
                                        "residence: leave one of the two filters empty.")
        return data

    def criteria(self) -> dict:
        """The selectors' keyword arguments, from the cleaned data."""
        data = self.cleaned_data
        as_bool = {"yes": True, "no": False}
        return {"months": [data["month"]] if data.get("month") else self.window, "office": data.get("office", ""),
                "team": data.get("team", ""), "seen": as_bool.get(data.get("seen")),
                "residence": as_bool.get(data.get("residence"))}
