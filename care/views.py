"""Pages of children in care. A view parses input, calls one selector or service, renders;
access is decided in cases/permissions.py (invisible case → 404, not allowed → 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from care import forms, rules, selectors, services
from cases.permissions import Action, can, get_case_or_404, records_in_case, require
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


def _family_time_page(request, case, form, title, *, back, submit="Save", intro=""):
    return _form_page(request, form, title, case=case, back=back, intro=intro, submit=submit)


def _arrangement(request, pk, action=Action.VIEW):
    arrangement = selectors.family_time_detail(request.user, pk)
    if arrangement is None:
        raise Http404("No such family-time arrangement.")
    require(request.user, action, arrangement)
    return arrangement


def _child(request, reference, member_id, action=Action.EDIT):
    case = get_case_or_404(request.user, reference, action)
    member = records_in_case(request.user, case, "child").select_related("person", "case").filter(
        pk=member_id).first()
    if member is None:
        raise Http404("No such child in this case.")
    return case, member


def family_time_list(request):
    """Every family-time arrangement one may see, with its review date; for a team leader,
    the moves awaiting their decision first."""
    today = timezone.localdate()
    rows = list(selectors.family_time_list(request.user).filter(ended_on__isnull=True))
    for row in rows:
        row.overdue = rules.review_overdue(row.due_on, today)
    return render(request, "care/family_time_list.html", {
        "rows": rows, "pending": list(selectors.pending_progressions(request.user)), "today": today})


def family_time_create(request, reference, member_id):
    case, member = _child(request, reference, member_id)
    form = forms.FamilyTimeForm(request.POST or None, user=request.user, member=member,
                                initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        participants = data.pop("participants")
        arrangement = save_or_form_error(form, lambda: services.family_time_create(
            user=request.user, member=member, participants=participants, **data))
        if arrangement:
            messages.success(request, f"Family time arranged for {case.reference}.")
            return redirect(arrangement)
    return _family_time_page(request, case, form, f"Arrange family time for {member.person.given_name}",
                      back=case.get_absolute_url(), submit="Save the arrangement")


def family_time_detail(request, pk):
    arrangement = _arrangement(request, pk)
    case = arrangement.case
    today = timezone.localdate()
    stages = list(arrangement.stages.all())
    progressions = list(arrangement.progressions.all())
    can_edit = can(request.user, Action.EDIT, case) and arrangement.ended_on is None
    reunification = services.goal_is_reunification(arrangement.member, today)
    facts = [rules.StageFacts(s.number, s.status, s.starts_on, s.review_on) for s in stages]
    pending = next((p for p in progressions if p.status == rules.PENDING), None)
    return render(request, "care/family_time_detail.html", {
        "case": case, "arrangement": arrangement, "stages": stages, "progressions": progressions,
        "sessions": list(arrangement.family_sessions.all()), "reviews": list(arrangement.reviews.all()),
        "pending": pending, "next_stage": rules.next_stage(facts),
        "overdue": rules.review_overdue(arrangement.due_on, today),
        "can_edit": can_edit, "reunification": reunification,
        "may_decide": pending is not None and can(request.user, Action.APPROVE, case)
        and pending.requested_by_id != request.user.pk,
    })


def stage_add(request, pk):
    arrangement = _arrangement(request, pk, Action.EDIT)
    form = forms.StageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.stage_add(user=request.user, arrangement=arrangement,
                                                               **form.cleaned_data)):
            messages.success(request, "Stage added to the plan.")
            return redirect(arrangement)
    return _family_time_page(request, arrangement.case, form, "Add a stage to the family-time plan",
                      back=arrangement.get_absolute_url(),
                      intro="Each stage says what changes, from when, and when it is reviewed. Moving to it needs "
                            "the team leader's approval.")


def progression_request(request, pk):
    arrangement = _arrangement(request, pk, Action.EDIT)
    form = forms.ProgressionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.progression_request(user=request.user, arrangement=arrangement,
                                                                         **form.cleaned_data)):
            messages.success(request, "Move to the next stage sent to the team leader for approval.")
            return redirect(arrangement)
    return _family_time_page(request, arrangement.case, form, "Ask to move to the next stage",
                      back=arrangement.get_absolute_url(), submit="Ask for approval")


def progression_decide(request, pk):
    progression = selectors.progressions_list(request.user).filter(pk=pk).first()
    if progression is None:
        raise Http404("No such request.")
    case = progression.arrangement.case
    if not can(request.user, Action.APPROVE, case):
        raise PermissionDenied("Only a team leader of the case's team decides a move to the next stage.")
    form = forms.ProgressionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        if save_or_form_error(form, lambda: services.progression_decide(
                user=request.user, progression=progression, approve=approve, comment=form.cleaned_data["comment"])):
            messages.success(request, f"Stage {progression.stage.number} approved." if approve
                             else "Move rejected.")
            return redirect(progression.arrangement)
    return _family_time_page(request, case, form, f"Decide the move to stage {progression.stage.number}",
                      back=progression.arrangement.get_absolute_url(), submit="Decide",
                      intro=f"What changes: {progression.stage.changes} Rationale: {progression.rationale}")


def session_record(request, pk):
    arrangement = _arrangement(request, pk, Action.EDIT)
    form = forms.SessionForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        session = save_or_form_error(form, lambda: services.session_record(user=request.user, arrangement=arrangement,
                                                                           **form.cleaned_data))
        if session:
            messages.success(request, "Session recorded." + (" The caseworker and team leader are alerted."
                                                             if session.outcome == rules.MISSED else ""))
            return redirect(arrangement)
    return _family_time_page(request, arrangement.case, form, "Record a family-time session",
                      back=arrangement.get_absolute_url(), submit="Record")


def review_record(request, pk):
    arrangement = _arrangement(request, pk, Action.EDIT)
    form = forms.ReviewForm(request.POST or None, initial={"reviewed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.review_record(user=request.user, arrangement=arrangement,
                                                                   **form.cleaned_data)):
            messages.success(request, "Review recorded.")
            return redirect(arrangement)
    return _family_time_page(request, arrangement.case, form, "Review the family time", back=arrangement.get_absolute_url(),
                      submit="Record the review",
                      intro="A review that keeps the current arrangement and sets the next review date. To move to "
                            "the next stage, ask for the team leader's approval instead.")


def cultural_plan(request, reference, member_id):
    case, member = _child(request, reference, member_id, Action.VIEW)
    plan = selectors.cultural_plan_of(request.user, member)
    can_edit = can(request.user, Action.EDIT, case)
    form = forms.CulturalPlanForm(request.POST or None, initial={"community": plan.community,
                                                                 "review_on": plan.review_on} if plan else {})
    if request.method == "POST":
        require(request.user, Action.EDIT, case)
        if form.is_valid() and save_or_form_error(form, lambda: services.cultural_plan_save(
                user=request.user, member=member, **form.cleaned_data)):
            messages.success(request, "Cultural support plan saved.")
            return redirect("care:cultural_plan", case.reference, member.pk)
    return render(request, "care/cultural_plan.html", {
        "case": case, "member": member, "plan": plan, "form": form, "can_edit": can_edit,
        "activity_form": forms.CulturalActivityForm(), "needs_plan": rules.needs_cultural_plan(
            member.person.indigenous_status)})


def cultural_activity_add(request, reference, member_id):
    case, member = _child(request, reference, member_id)
    plan = selectors.cultural_plan_of(request.user, member)
    if plan is None:
        messages.error(request, "Save the cultural support plan (its review date) first.")
        return redirect("care:cultural_plan", case.reference, member.pk)
    form = forms.CulturalActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.cultural_activity_add(user=request.user, plan=plan,
                                                                           **form.cleaned_data)):
            messages.success(request, "Activity added to the cultural support plan.")
            return redirect("care:cultural_plan", case.reference, member.pk)
    return _family_time_page(request, case, form, f"Add to {member.person.given_name}'s cultural support plan",
                      back=f"/care/cases/{case.reference}/children/{member.pk}/cultural-plan/", submit="Add")
