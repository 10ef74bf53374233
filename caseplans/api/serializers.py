"""Serializers of case plans: they translate; services decide and write."""

from rest_framework import serializers

from caseplans import rules
from caseplans.models import (
    CasePlan,
    ChildObjective,
    LegalPath,
    PlanAction,
    PlanDecision,
    PlanGoal,
    ProtectiveConcern,
    ReunificationPrognosis,
)
from cases.models import CasePlanGoal
from cases.permissions import VisibleCaseField, VisibleRelatedField


class ChildObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChildObjective
        fields = ["member", "objective"]
        read_only_fields = fields  # written through the plan's ``objectives``


class ConcernSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProtectiveConcern
        fields = ["id", "concern", "strengths", "needs", "lock_version"]
        read_only_fields = ["lock_version"]


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanGoal
        fields = ["id", "text", "status", "carried_from", "lock_version"]
        read_only_fields = ["carried_from", "lock_version"]


class PlanDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanDecision
        fields = ["decision", "comment", "decided_by", "decided_at"]
        read_only_fields = fields


class PlanActionSerializer(serializers.ModelSerializer):
    goal = VisibleRelatedField("plan_goal", required=False, allow_null=True, help_text="A goal of the plan")
    smart_warnings = serializers.SerializerMethodField()

    class Meta:
        model = PlanAction
        fields = ["id", "plan", "goal", "what", "responsible_kind", "responsible_name", "service", "location",
                  "location_confidential", "due_on", "measure", "completed_on", "progress_note", "carried_from",
                  "withdrawn_on", "withdrawn_reason", "lock_version", "smart_warnings"]
        read_only_fields = ["plan", "completed_on", "progress_note", "carried_from", "withdrawn_on",
                            "withdrawn_reason", "lock_version"]

    def get_smart_warnings(self, action) -> list[str]:
        from django.utils import timezone

        return rules.smart_warnings(rules.ActionFacts(what=action.what, responsible=action.responsible,
                                                      due_on=action.due_on, measure=action.measure,
                                                      completed_on=action.completed_on), timezone.localdate())


class ActionCreateSerializer(PlanActionSerializer):
    plan = VisibleRelatedField("plan", in_case=False, help_text="A plan of a case you may see")
    case_field = "plan"  # the plan says which case the action is about

    class Meta(PlanActionSerializer.Meta):
        read_only_fields = ["completed_on", "progress_note", "carried_from", "withdrawn_on", "withdrawn_reason",
                            "lock_version"]


class ActionWithdrawSerializer(serializers.Serializer):
    lock_version = serializers.IntegerField()
    reason = serializers.CharField()


class ActionCompleteSerializer(serializers.Serializer):
    lock_version = serializers.IntegerField()
    completed_on = serializers.DateField(allow_null=True, required=False, default=None,
                                         help_text="Leave out to record progress without ticking the action off")
    progress_note = serializers.CharField(allow_blank=True, required=False, default="")


class CasePlanSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    caseworker = VisibleRelatedField("staff", required=False,
                                     help_text="Staff who may work on the case: its caseworker, team or team leader")
    child_objectives = ChildObjectiveSerializer(many=True, read_only=True)
    objectives = serializers.DictField(
        child=serializers.ChoiceField(choices=[("", "none"), *CasePlanGoal.choices]), write_only=True, required=False,
        help_text='Permanency objective per child: {"<case member id>": "reunification", …}; "" removes one')
    concerns = ConcernSerializer(many=True, read_only=True)
    goals = GoalSerializer(many=True, read_only=True)
    actions = PlanActionSerializer(many=True, read_only=True)
    decisions = PlanDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = CasePlan
        fields = ["id", "case", "version", "previous", "status", "lock_version", "caseworker", "how_made", "made_on",
                  "participants", "child_participated", "child_views", "visit_frequency", "cultural_support_plan",
                  "review_date", "right_of_review_told_on", "confidential_notes", "created_by", "submitted_by",
                  "submitted_at", "endorsed_by", "endorsed_on", "copy_provided_on", "copy_provided_how",
                  "child_objectives", "objectives", "concerns", "goals", "actions", "decisions"]
        read_only_fields = ["version", "previous", "status", "created_by", "submitted_by", "submitted_at",
                            "endorsed_by", "endorsed_on", "copy_provided_on", "copy_provided_how"]
        extra_kwargs = {"lock_version": {"required": False}}

    def validate_objectives(self, value):
        try:
            return {int(member_id): objective for member_id, objective in value.items()}
        except ValueError as error:
            raise serializers.ValidationError("Keys are the case member ids of the children.") from error


class CasePlanCreateSerializer(CasePlanSerializer):
    case = VisibleCaseField()


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class CopySerializer(serializers.Serializer):
    provided_on = serializers.DateField()
    how = serializers.CharField()
    right_of_review_told_on = serializers.DateField(required=False, allow_null=True)


class PrognosisSerializer(serializers.Serializer):
    member = VisibleRelatedField("child", help_text="A child in care of the plan's case")
    prognosis = serializers.ChoiceField(choices=list(rules.PROGNOSIS_LABELS.items()))
    reasons = serializers.CharField()


class AlternatePlanSerializer(serializers.Serializer):
    member = VisibleRelatedField("child", help_text="A child of the plan's case whose prognosis is poor")
    with_whom = serializers.CharField(max_length=200)
    legal_path = serializers.ChoiceField(choices=LegalPath.choices)
    people_searched = serializers.CharField()
    people_assessed = serializers.CharField()


class AlternateDecisionSerializer(serializers.Serializer):
    member = VisibleRelatedField("child", help_text="The child whose alternate plan is decided")
    endorse = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ConcurrentPlanningSerializer(serializers.ModelSerializer):
    """A child's prognosis at this review and their alternate permanent plan (if any)."""

    alternate_plan = serializers.SerializerMethodField()

    class Meta:
        model = ReunificationPrognosis
        fields = ["id", "plan", "member", "prognosis", "reasons", "recorded_by", "recorded_at", "alternate_plan"]
        read_only_fields = fields

    def get_alternate_plan(self, row) -> dict | None:
        alternate = getattr(row, "alternate", None)
        if alternate is None:
            return None
        return {"with_whom": alternate.with_whom, "legal_path": alternate.legal_path,
                "people_searched": alternate.people_searched, "people_assessed": alternate.people_assessed,
                "status": alternate.status, "decision_comment": alternate.decision_comment}
