"""Pages of children in care. A view parses input, calls one selector or service, renders;
access is decided in cases/permissions.py (invisible case → 404, not allowed → 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from care import forms, selectors, services
from cases.permissions import Action, can, get_case_or_404
from casework.views import save_or_form_error


def _placement(request, reference, pk, action=Action.VIEW):
    case = get_case_or_404(request.user, reference, action)
    placement = selectors.placement_in_case(case, pk)
    if placement is None:
        raise Http404("No such placement.")
    return case, placement


def _form_page(request, form, title, *, case=None, back="", intro="", template="care/form.html", **extra):
    return render(request, template, {"form": form, "title": title, "case": case, "back": back, "intro": intro,
                                      **extra})


# --- Carer households (the organisation's directory) ----------------------------------------


def households(request):
    rows = selectors.households(request.user)
    return render(request, "care/households.html", {"households": rows,
                                                    "may_manage": services.may_manage_households(request.user)})


def household_create(request):
    if not services.may_manage_households(request.user):
        raise PermissionDenied("Only team leaders, managers and administrators keep the carer households.")
    form = forms.HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        household = save_or_form_error(form, lambda: services.household_save(user=request.user,
                                                                           household=form.save(commit=False)))
        if household:
            messages.success(request, f"{household} added.")
            return redirect("care:household_detail", household.pk)
    return _form_page(request, form, "Add a carer household", back="care:households")


def household_detail(request, pk):
    household = selectors.household_detail(request.user, pk)
    if household is None:
        raise Http404("No such household.")
    may_manage = services.may_manage_households(request.user)
    form = forms.HouseholdMemberForm(request.POST or None, prefix="person") if may_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only team leaders, managers and administrators keep the carer households.")
        if form.is_valid() and save_or_form_error(form, lambda: services.household_member_add(
                user=request.user, household=household, member=form.save(commit=False))):
            messages.success(request, "Person added to the household.")
            return redirect("care:household_detail", household.pk)
    return render(request, "care/household_detail.html", {
        "household": household, "people": household.people.all(), "form": form,
        "placements": selectors.household_placements(request.user, household)})


def household_edit(request, pk):
    if not services.may_manage_households(request.user):
        raise PermissionDenied("Only team leaders, managers and administrators keep the carer households.")
    household = selectors.household_detail(request.user, pk)
    if household is None:
        raise Http404("No such household.")
    form = forms.HouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.household_save(user=request.user, household=form.save(commit=False))):
            messages.success(request, "Household saved.")
            return redirect("care:household_detail", household.pk)
    return _form_page(request, form, f"Change {household}", back="care:households")


# --- Placements --------------------------------------------------------------------------------


def placement_create(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    form = forms.PlacementForm(request.POST or None, case=case, user=request.user,
                               households=selectors.households(request.user))
    if request.method == "POST" and form.is_valid():
        placement = save_or_form_error(form, lambda: services.placement_record(user=request.user, **form.cleaned_data))
        if placement:
            messages.success(request, "Placement recorded; the child's living arrangement now shows it.")
            return redirect("care:placement_detail", case.reference, placement.pk)
    return _form_page(request, form, "Record a placement", case=case,
                      intro="The placement becomes the child's living arrangement from its start date; their "
                            "current arrangement ends the day before.")


def placement_detail(request, reference, pk):
    case, placement = _placement(request, reference, pk)
    agreements = selectors.placement_agreements(placement)
    return render(request, "care/placement_detail.html", {
        "case": case, "placement": placement, "agreements": agreements,
        "current": agreements[0] if agreements else None, "visits": selectors.placement_visits(placement),
        "can_edit": can(request.user, Action.EDIT, case)})


def agreement_edit(request, reference, pk):
    case, placement = _placement(request, reference, pk, Action.EDIT)
    current = services.current_agreement(placement)
    form = forms.AgreementForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        agreement = save_or_form_error(form, lambda: services.agreement_save(
            user=request.user, placement=placement, items=form.items(),
            supports_to_carer=form.cleaned_data["supports_to_carer"], review_on=form.cleaned_data["review_on"]))
        if agreement:
            messages.success(request, f"Placement agreement version {agreement.version} saved.")
            return redirect("care:placement_detail", case.reference, placement.pk)
    return _form_page(request, form, "Placement agreement" + (f" (new version after {current.version})" if current else ""),
                      case=case, template="care/agreement_form.html", placement=placement)


def carer_visit(request, reference, pk):
    case, placement = _placement(request, reference, pk, Action.EDIT)
    current = services.current_agreement(placement)
    items = list(current.items.all()) if current else []
    today = timezone.localdate()
    form = forms.CarerVisitForm(request.POST or None, items=items, initial={"occurred_on": today})
    if request.method == "POST" and form.is_valid():
        visit = save_or_form_error(form, lambda: services.carer_visit_record(user=request.user, placement=placement,
                                                                           data=form.service_data()))
        if visit:
            concerns = sum(1 for c in visit.checks.all() if c.status == "concern")
            messages.success(request, "Carer visit recorded." + (
                f" {concerns} concern{'s' if concerns != 1 else ''} sent as an alert to the caseworker and team leader."
                if concerns else ""))
            return redirect("care:placement_detail", case.reference, placement.pk)
    return _form_page(request, form, "Record a carer visit", case=case, template="care/visit_form.html",
                      placement=placement, agreement=current)


def stability(request):
    """Children in care now with three or more placements in 12 months, by case reference."""
    if not (request.user.is_team_leader or request.user.is_manager):
        raise PermissionDenied("For team leaders and managers.")
    today = timezone.localdate()
    return render(request, "care/stability.html", {"rows": selectors.unstable_children(request.user, today),
                                                   "summary": selectors.stability_summary(request.user, today)})


