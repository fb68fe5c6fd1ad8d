"""Merchandising over REST (staff with the placement permissions, the Merchandisers group): the
placements with their rules, a placement's size, intent or activity changed, and
``UpdateRecommendationScore``: a product pinned at a position, excluded, or its score boosted in a
placement (a pin put where another is moves that one down), or its rule removed. Every change goes
through the placement services (the placement's lock, an event, the serving cache's version bumped
after commit)."""

from __future__ import annotations

import functools
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.permissions import has_access
from commerce.api.schema import STAFF, answer, documented, error_example, error_response, sent
from commerce.api.serializers import StrictInputSerializer
from recommendations.models import Intent, PlacementRule
from recommendations.selectors.placements import placement_get, placement_list
from recommendations.services.serving import MAX_POSITION, placement_rule_remove, placement_rule_set, placement_update

_staff = functools.partial(documented, tags=["recommendations"], access=STAFF)

CanViewPlacements = has_access("recommendations.view_placement", "You need the view placement permission.")
CanChangePlacements = has_access("recommendations.change_placement", "You need the change placement permission.")

KEY = OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH, description="The placement's key.")
RULE_ID = OpenApiParameter("rule_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Rule id.")
PLACEMENT_NOT_FOUND = error_response("No placement has this key.",
                                     error_example("placement_not_found", "No placement 'sidebar'."))
RULE_EXAMPLE = {"id": 3, "product_id": 42, "kind": "pin", "position": 1, "boost": "1.00"}
PLACEMENT_EXAMPLE = {"id": 1, "key": "home_for_you", "name": "Home: for you", "intent": "for_you", "size": 8,
                     "is_active": True, "updated_at": "2026-12-07T10:00:00Z", "rules": [RULE_EXAMPLE]}


@extend_schema_serializer(component_name="PlacementRule")
class RuleOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PlacementRule.Kind.choices)
    position = serializers.IntegerField(help_text="Pins: the place, from 1.")
    boost = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Boosts: the score's factor.")


@extend_schema_serializer(component_name="Placement")
class PlacementOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    intent = serializers.ChoiceField(choices=Intent.choices)
    size = serializers.IntegerField()
    is_active = serializers.BooleanField()
    updated_at = serializers.DateTimeField()
    rules = RuleOutputSerializer(many=True)


class PlacementListApi(APIView):
    permission_classes = [IsAuthenticated, CanViewPlacements]

    @_staff("recommendations_placements_list", "Placements", ok=PlacementOutputSerializer(many=True),
            description="Every placement with its pins, exclusions and boosts.",
            example=("The placements", [PLACEMENT_EXAMPLE]))
    def get(self, request):
        return Response(PlacementOutputSerializer(placement_list(), many=True).data)


class PlacementDetailApi(APIView):
    permission_classes = [IsAuthenticated, CanChangePlacements]

    @extend_schema_serializer(component_name="PlacementUpdateInput")
    class InputSerializer(StrictInputSerializer):
        name = serializers.CharField(max_length=100, required=False)
        intent = serializers.ChoiceField(choices=Intent.choices, required=False)
        size = serializers.IntegerField(min_value=1, max_value=MAX_POSITION, required=False)
        is_active = serializers.BooleanField(required=False)

    @_staff("recommendations_placements_update", "Change a placement", ok=PlacementOutputSerializer,
            request=InputSerializer, parameters=[KEY],
            description="Only the fields sent change (another merchandiser's change of another field stays).",
            invalid=[error_example("invalid", "Invalid input.", {"size": ["Ensure this value is less than or equal to 24."]})],
            errors={404: PLACEMENT_NOT_FOUND},
            examples=[sent("Fewer products", {"size": 4}), answer("Changed", {**PLACEMENT_EXAMPLE, "size": 4}, "200")])
    def patch(self, request, key: str):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        placement = placement_get(key=key)
        placement_update(placement_id=placement.pk, data=dict(body.validated_data))
        return Response(PlacementOutputSerializer(placement_get(key=key)).data)


class PlacementRuleSetApi(APIView):
    permission_classes = [IsAuthenticated, CanChangePlacements]

    @extend_schema_serializer(component_name="PlacementRuleInput")
    class InputSerializer(StrictInputSerializer):
        product_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
        kind = serializers.ChoiceField(choices=PlacementRule.Kind.choices)
        position = serializers.IntegerField(min_value=1, max_value=MAX_POSITION, required=False, default=1,
                                            help_text="Pins: the place, from 1 (a pin there moves one place down).")
        boost = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.1"), max_value=Decimal("10"),
                                         required=False, default=Decimal("1"), help_text="Boosts: the score is multiplied by this (0.1 to 10).")

    @_staff("recommendations_placement_rules_set", "Pin, exclude or boost a product in a placement", ok=RuleOutputSerializer,
            request=InputSerializer, parameters=[KEY],
            description="`UpdateRecommendationScore`: replaces the product's earlier rule in the placement. A pin put "
                        "where another pin is moves that one, and the pins right behind it, one place down.",
            invalid=[error_example("placement_invalid", "The rule was not saved.", {"position": [
                "Pins hold every position from 24 to 24: there is no place to move them down to."]})],
            errors={404: error_response("No placement has this key, or no product this id.",
                                        error_example("placement_not_found", "No placement 'sidebar'."),
                                        error_example("product_not_found", "No such product.", {"product": ["No such product."]}))},
            examples=[sent("Pin first", {"product_id": 42, "kind": "pin", "position": 1}),
                      sent("Boost", {"product_id": 43, "kind": "boost", "boost": "2.5"}),
                      answer("Pinned", RULE_EXAMPLE, "200")])
    def post(self, request, key: str):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        placement = placement_get(key=key)
        rule = placement_rule_set(placement_id=placement.pk, product_id=data["product_id"], kind=data["kind"],
                                  position=data["position"], boost=data["boost"])
        return Response(RuleOutputSerializer(rule).data)


class PlacementRuleRemoveApi(APIView):
    permission_classes = [IsAuthenticated, CanChangePlacements]

    @_staff("recommendations_placement_rules_remove", "Remove a placement rule", ok=None, status=204,
            parameters=[RULE_ID], description="The product is ranked as any other there again.",
            errors={404: error_response("No such rule.", error_example("placement_not_found", "No such rule."))})
    def delete(self, request, rule_id: int):
        placement_rule_remove(rule_id=rule_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
