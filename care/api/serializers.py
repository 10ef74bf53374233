"""Translate carer households, placements and agreements to and from JSON. Writes go through care/services.py."""

from rest_framework import serializers

from care.models import (
    AgreementItem,
    ByWhom,
    CarerHousehold,
    CulturalSupportActivity,
    CulturalSupportPlan,
    FamilyTimeArrangement,
    FamilyTimeProgression,
    FamilyTimeReview,
    FamilyTimeSession,
    FamilyTimeStage,
    HouseholdMember,
    Period,
    Placement,
    PlacementAgreement,
    PlacementType,
    Responsible,
    SessionOutcome,
    Supervision,
)
from cases.permissions import VisibleRelatedField


class HouseholdMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = HouseholdMember
        fields = ["id", "given_name", "family_name", "role", "phone", "joined_on", "left_on"]


class CarerHouseholdSerializer(serializers.ModelSerializer):
    people = HouseholdMemberSerializer(many=True, read_only=True)

    class Meta:
        model = CarerHousehold
        fields = ["id", "name", "kind", "office", "approval_status", "approved_on", "approval_ends_on", "suburb",
                  "phone", "people"]


class PlacementSerializer(serializers.ModelSerializer):
    """A placement; its dates are the in-care living arrangement's (``living_arrangement``)."""

    case = serializers.CharField(source="living_arrangement.member.case.reference", read_only=True)
    child = VisibleRelatedField("child", in_case=False, source="living_arrangement.member",
                                help_text="The child (a member of the case with the role child)")
    household = serializers.PrimaryKeyRelatedField(queryset=CarerHousehold.objects.all())
    placement_type = serializers.ChoiceField(choices=PlacementType.choices)
    start = serializers.DateField(source="living_arrangement.effective_from")
    end = serializers.DateField(source="living_arrangement.effective_to", read_only=True, allow_null=True)
    approved_by = VisibleRelatedField("leader", help_text="A team leader of the child's case's team")
    living_arrangement = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Placement
        fields = ["id", "case", "child", "household", "placement_type", "start", "end", "reason_for_change",
                  "approved_by", "living_arrangement", "recorded_at"]
        read_only_fields = ["recorded_at"]

    case_field = "child"  # the case the write is about: the child's (cases.permissions.named_case)


class PlacementEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()


class AgreementItemSerializer(serializers.ModelSerializer):
    responsible = serializers.ChoiceField(choices=Responsible.choices)
    what = serializers.CharField(max_length=300)

    class Meta:
        model = AgreementItem
        fields = ["id", "responsible", "what"]


class PlacementAgreementSerializer(serializers.ModelSerializer):
    placement = serializers.PrimaryKeyRelatedField(queryset=Placement.objects.none())
    items = AgreementItemSerializer(many=True)
    created_by = serializers.StringRelatedField()

    class Meta:
        model = PlacementAgreement
        fields = ["id", "placement", "version", "items", "supports_to_carer", "review_on", "created_by", "created_at"]
        read_only_fields = ["version", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placement"].queryset = self.context.get("placements", Placement.objects.none())

    def validate_items(self, items):
        if not items:
            raise serializers.ValidationError("An agreement names at least one activity or responsibility.")
        return items


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


class ProgressionDecisionSerializer(serializers.Serializer):
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
