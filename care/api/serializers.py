"""Translate carer households, placements and agreements to and from JSON. Writes go through care/services.py."""

from rest_framework import serializers

from care.models import AgreementItem, CarerHousehold, HouseholdMember, Placement, PlacementAgreement, PlacementType, Responsible
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
