"""Translate responses records to and from JSON. Writes go through responses/services.py."""

from rest_framework import serializers

from cases.models import Case, Person
from responses.models import (
    FormalReview,
    InboundMessage,
    Recommendation,
    RecordAlert,
    Response,
    ResponseStep,
    SafetyAssessment,
    SafetyPlan,
    SupervisionReview,
)


class _CaseField(serializers.SlugRelatedField):
    """A case by reference; cases the requester may not see look absent."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="reference", queryset=Case.objects.all(), **kwargs)

    def to_internal_value(self, data):
        case = super().to_internal_value(data)
        if not self.context["visible_cases"].filter(pk=case.pk).exists():
            raise serializers.ValidationError("No such case.")
        return case


class RecordAlertSerializer(serializers.ModelSerializer):
    case = _CaseField(required=True, write_only=True)
    on_case = serializers.SlugRelatedField(source="case", slug_field="reference", read_only=True)
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    recorded_by = serializers.StringRelatedField()
    ended_by = serializers.StringRelatedField()

    class Meta:
        model = RecordAlert
        fields = ["id", "case", "on_case", "person", "category", "severity", "details", "starts_on", "review_on",
                  "ends_on", "recorded_by", "recorded_at", "ended_on", "ended_reason", "ended_by"]
        read_only_fields = ["recorded_at", "ended_on", "ended_reason"]


class RecordAlertEndSerializer(serializers.Serializer):
    case = _CaseField()
    reason = serializers.CharField(max_length=300)
    on = serializers.DateField(required=False)


class RecordAlertReviewSerializer(serializers.Serializer):
    case = _CaseField()
    next_review_on = serializers.DateField(allow_null=True)
    details = serializers.CharField(required=False, allow_blank=True)


class StepSerializer(serializers.ModelSerializer):
    done_by = serializers.StringRelatedField()
    label = serializers.CharField(source="get_code_display", read_only=True)

    class Meta:
        model = ResponseStep
        fields = ["code", "label", "due_at", "done_at", "done_by", "note"]


class ResponseSerializer(serializers.ModelSerializer):
    case = _CaseField()
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = ["id", "case", "kind", "person", "source", "received_at", "summary", "details",
                  "victim_support_information_given", "created_at", "completed_at", "steps"]
        read_only_fields = ["source", "victim_support_information_given", "created_at", "completed_at"]
        extra_kwargs = {"received_at": {"required": False}}


class StepCompleteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    victim_support_information_given = serializers.BooleanField(required=False, allow_null=True, default=None)


class SafetyAssessmentSerializer(serializers.ModelSerializer):
    case = _CaseField()
    response = serializers.PrimaryKeyRelatedField(queryset=Response.objects.all(), required=False, allow_null=True)
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = SafetyAssessment
        fields = ["id", "case", "response", "completed_on", "threats", "decision", "recorded_by", "recorded_at"]
        extra_kwargs = {"threats": {"required": False}}


class SafetyPlanSerializer(serializers.ModelSerializer):
    case = _CaseField()
    submitted_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()
    documented_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = SafetyPlan
        fields = ["id", "case", "assessment", "replaces", "developed_on", "documentation_due_on", "documented_on",
                  "documented_late", "threats", "actions", "responsible", "status", "submitted_by", "decided_by",
                  "decided_at", "decision_comment"]
        read_only_fields = ["assessment", "replaces", "documentation_due_on", "documented_on", "status",
                            "decided_at", "decision_comment"]


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class SupervisionReviewSerializer(serializers.ModelSerializer):
    case = _CaseField()
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = SupervisionReview
        fields = ["id", "case", "held_on", "discussion", "decisions", "rationale", "recorded_by", "recorded_at"]


class FormalReviewSerializer(serializers.ModelSerializer):
    case = _CaseField()
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = FormalReview
        fields = ["id", "case", "held_on", "assessments_completed", "progress", "decision", "recorded_by",
                  "recorded_at"]


class RecommendationSerializer(serializers.ModelSerializer):
    case = _CaseField()
    recommended_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()

    class Meta:
        model = Recommendation
        fields = ["id", "case", "kind", "rationale", "recommended_by", "recommended_at", "status", "decided_by",
                  "decided_at", "decision_comment", "actioned_at"]
        read_only_fields = ["status", "decided_at", "decision_comment", "actioned_at"]


class CloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField(required=False)
    confirmed = serializers.BooleanField(default=False)


class InboundMessageSerializer(serializers.ModelSerializer):
    system = serializers.StringRelatedField()

    class Meta:
        model = InboundMessage
        fields = ["id", "system", "message_id", "received_at", "status", "problem", "response", "payload",
                  "raw_body", "review_note"]
