"""Serializers of the care app: they translate; services decide and write."""

from rest_framework import serializers

from care.models import (
    ByWhom,
    CulturalSupportActivity,
    CulturalSupportPlan,
    FamilyTimeArrangement,
    FamilyTimeProgression,
    FamilyTimeReview,
    FamilyTimeSession,
    FamilyTimeStage,
    Period,
    SessionOutcome,
    Supervision,
)
from cases.permissions import VisibleRelatedField


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = FamilyTimeStage
        fields = ["id", "number", "changes", "starts_on", "review_on", "sessions", "period", "duration_minutes",
                  "supervision", "status"]
        read_only_fields = ["number", "status"]


class FamilyTimeSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    review_due_on = serializers.DateField(source="due_on", read_only=True,
                                          help_text="The current stage's review date, else the arrangement's")
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = FamilyTimeArrangement
        fields = ["id", "case", "member", "participants", "others", "sessions", "period", "duration_minutes",
                  "location", "supervision", "supervisor", "transport", "started_on", "review_on", "review_due_on",
                  "ended_on", "stages"]
        read_only_fields = fields


class FamilyTimeCreateSerializer(serializers.Serializer):
    member = VisibleRelatedField("child", in_case=False, help_text="A child in care, of a case you may see")
    participants = VisibleRelatedField("member", many=True, required=False, default=list,
                                       help_text="Other members of the child's case")
    others = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    sessions = serializers.IntegerField(min_value=1, max_value=14)
    period = serializers.ChoiceField(choices=Period.choices)
    duration_minutes = serializers.IntegerField(min_value=15, max_value=1440)
    location = serializers.CharField(max_length=200)
    supervision = serializers.ChoiceField(choices=Supervision.choices)
    supervisor = serializers.CharField(max_length=160, required=False, allow_blank=True, default="")
    transport = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    started_on = serializers.DateField()
    review_on = serializers.DateField()
    case_field = "member"  # the child says which case the arrangement is about


class StageCreateSerializer(serializers.Serializer):
    changes = serializers.CharField()
    starts_on = serializers.DateField()
    review_on = serializers.DateField()
    sessions = serializers.IntegerField(min_value=1, max_value=14, required=False, allow_null=True, default=None)
    period = serializers.ChoiceField(choices=Period.choices, required=False, allow_blank=True, default="")
    duration_minutes = serializers.IntegerField(min_value=15, max_value=1440, required=False, allow_null=True,
                                                default=None)
    supervision = serializers.ChoiceField(choices=Supervision.choices, required=False, allow_blank=True, default="")


class RationaleSerializer(serializers.Serializer):
    rationale = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ProgressionSerializer(serializers.ModelSerializer):
    stage = serializers.IntegerField(source="stage.number", read_only=True)

    class Meta:
        model = FamilyTimeProgression
        fields = ["id", "arrangement", "stage", "rationale", "requested_by", "requested_at", "status", "decided_by",
                  "decided_at", "decision_comment"]
        read_only_fields = fields


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = FamilyTimeSession
        fields = ["id", "arrangement", "on", "outcome", "by_whom", "observations", "recorded_by", "recorded_at"]
        read_only_fields = fields


class SessionCreateSerializer(serializers.Serializer):
    on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=SessionOutcome.choices)
    by_whom = serializers.ChoiceField(choices=ByWhom.choices, required=False, allow_blank=True, default="")
    observations = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = FamilyTimeReview
        fields = ["id", "arrangement", "reviewed_on", "outcome", "next_review_on", "recorded_by"]
        read_only_fields = ["arrangement", "recorded_by"]


class ActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = CulturalSupportActivity
        fields = ["id", "activity", "responsible", "how_often"]


class CulturalPlanSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    activities = ActivitySerializer(many=True, read_only=True)

    class Meta:
        model = CulturalSupportPlan
        fields = ["id", "case", "member", "community", "review_on", "activities"]
        read_only_fields = ["case", "member"]


class CulturalPlanCreateSerializer(serializers.Serializer):
    member = VisibleRelatedField("child", in_case=False,
                                 help_text="An Aboriginal or Torres Strait Islander child in care, of a case you may see")
    community = serializers.CharField(max_length=160, required=False, allow_blank=True, default="")
    review_on = serializers.DateField()
    case_field = "member"
