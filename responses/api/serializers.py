"""Translate responses records to and from JSON. Writes go through responses/services.py."""

from rest_framework import serializers

from cases.api.versioning import lock_version_field
from cases.permissions import VisibleCaseField, VisibleRelatedField
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


class RecordAlertSerializer(serializers.ModelSerializer):
    case = VisibleCaseField(required=True, write_only=True)
    on_case = serializers.SlugRelatedField(source="case", slug_field="reference", read_only=True, allow_null=True)
    person = VisibleRelatedField("person", required=False, allow_null=True)
    recorded_by = serializers.StringRelatedField()
    ended_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = RecordAlert
        fields = ["id", "case", "on_case", "person", "category", "severity", "details", "starts_on", "review_on",
                  "ends_on", "recorded_by", "recorded_at", "ended_on", "ended_reason", "ended_by", "lock_version"]
        read_only_fields = ["recorded_at", "ended_on", "ended_reason", "lock_version"]


class RecordAlertEndSerializer(serializers.Serializer):
    case = VisibleCaseField()
    reason = serializers.CharField(max_length=300)
    on = serializers.DateField(required=False)
    lock_version = lock_version_field(required=True)


class RecordAlertReviewSerializer(serializers.Serializer):
    case = VisibleCaseField()
    next_review_on = serializers.DateField(allow_null=True)
    details = serializers.CharField(required=False, allow_blank=True)
    lock_version = lock_version_field(required=True)


class StepSerializer(serializers.ModelSerializer):
    done_by = serializers.StringRelatedField(allow_null=True)
    label = serializers.CharField(source="get_code_display", read_only=True)

    class Meta:
        model = ResponseStep
        fields = ["code", "label", "due_at", "done_at", "done_by", "note"]


class ResponseSerializer(serializers.ModelSerializer):
    case = VisibleCaseField()
    person = VisibleRelatedField("person", required=False, allow_null=True)
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
    case = VisibleCaseField()
    response = VisibleRelatedField("response", required=False, allow_null=True)
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = SafetyAssessment
        fields = ["id", "case", "response", "completed_on", "threats", "decision", "recorded_by", "recorded_at"]
        extra_kwargs = {"threats": {"required": False}}


class SafetyPlanSerializer(serializers.ModelSerializer):
    case = VisibleCaseField()
    submitted_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField(allow_null=True)
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
    case = VisibleCaseField()
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = SupervisionReview
        fields = ["id", "case", "held_on", "discussion", "decisions", "rationale", "recorded_by", "recorded_at"]


class FormalReviewSerializer(serializers.ModelSerializer):
    case = VisibleCaseField()
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = FormalReview
        fields = ["id", "case", "held_on", "assessments_completed", "progress", "decision", "recorded_by",
                  "recorded_at"]


class RecommendationSerializer(serializers.ModelSerializer):
    case = VisibleCaseField()
    recommended_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField(allow_null=True)

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
        read_only_fields = fields  # matched or dismissed on the page, not through the API
