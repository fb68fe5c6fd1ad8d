"""A customer's recommendations, addressed by the customer's id: ``GetRecommendationsForCustomer``
(the list a placement would show them now, not recorded as shown: nobody is shown it) and
``GenerateRecommendations`` (computed again now, as after a cart change, so their next page finds it
warm; one ``recommendations.generated`` event). The customer themself, or staff who may see that
customer's data (``access.can_access_customer_data``)."""

from __future__ import annotations

import functools

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.accounts.errors import CustomerNotFound
from commerce.api.permissions import CanViewCustomer
from commerce.api.schema import STAFF, answer, documented, error_example, error_response, sent
from commerce.api.serializers import QueryParamsSerializer, StrictInputSerializer
from recommendations.api.serving import LIST_ANSWER, QUERY_INVALID, ListOutputSerializer
from recommendations.errors import PlacementNotFound
from recommendations.models import Intent
from recommendations.services.serving import recommendations_generate
from recommendations.serving import cache
from recommendations.serving.placements import placements
from recommendations.serving.serve import recommendations_serve
from recommendations.serving.shopper import Shopper

_schema = functools.partial(documented, tags=["recommendations"], access=STAFF)  # 401, 403 (not theirs), 429
CUSTOMER_ID = OpenApiParameter("customer_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Customer (user) id.")
NOT_FOUND = error_response("No such customer (staff who may see every region), or no such personal placement.",
                           error_example("customer_not_found", "No such customer."),
                           error_example("placement_not_found", "No personal placement 'product_similar'."))
#: the placements that depend on the shopper alone (no product or cart around them)
PERSONAL = (Intent.FOR_YOU, Intent.RECENTLY_VIEWED, Intent.TRENDING, Intent.POPULAR)


def _personal_placement(key: str) -> str:
    spec = placements(cache.versions(cache.GLOBAL)[cache.GLOBAL]).get(key)
    if spec is None or spec.intent not in PERSONAL:
        raise PlacementNotFound(f"No personal placement {key!r}.", fields={"placement": ["No such personal placement."]})
    return key


class _CustomerApi(APIView):
    permission_classes = [IsAuthenticated, CanViewCustomer]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.customer_exists:
            raise CustomerNotFound("No such customer.")


class CustomerRecommendationsApi(_CustomerApi):
    @extend_schema_serializer(component_name="CustomerRecommendationsQuery")
    class QuerySerializer(QueryParamsSerializer):
        placement = serializers.SlugField(max_length=40, required=False, default="home_for_you",
                                          help_text="A personal placement (for you, recently viewed, trending, popular).")

    @_schema("recommendations_customer_retrieve", "A customer's recommendations", ok=ListOutputSerializer,
             description="`GetRecommendationsForCustomer`: what the placement shows this customer now, with the rules "
                         "applied. Not recorded as a list shown (`list_id` is null): nobody was shown it.",
             parameters=[CUSTOMER_ID, QuerySerializer], errors={**QUERY_INVALID, 404: NOT_FOUND}, examples=[LIST_ANSWER])
    def get(self, request, customer_id: int):
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        served = recommendations_serve(placement=_personal_placement(query.validated_data["placement"]),
                                       shopper=Shopper(customer_id=customer_id), track=False)
        return Response(ListOutputSerializer(served).data)


class CustomerRecommendationsGenerateApi(_CustomerApi):
    @extend_schema_serializer(component_name="GenerateRecommendationsInput")
    class InputSerializer(StrictInputSerializer):
        placement = serializers.SlugField(max_length=40, required=False, default="home_for_you",
                                          help_text="A personal placement (default: home, for you).")

    @extend_schema_serializer(component_name="GeneratedRecommendations")
    class OutputSerializer(serializers.Serializer):
        placement = serializers.CharField()
        product_ids = serializers.ListField(child=serializers.IntegerField(), help_text="The list as now computed.")

    @_schema("recommendations_customer_generate", "Generate a customer's recommendations", ok=OutputSerializer,
             request=InputSerializer,
             description="`GenerateRecommendations`: the customer's cached lists are dropped and the placement's list "
                         "computed again now (their next page finds it warm); one `recommendations.generated` event.",
             invalid=[error_example("invalid", "Invalid input.", {"placement": ["Enter a valid \"slug\"."]})],
             errors={404: NOT_FOUND},
             examples=[sent("For you", {}), answer("Generated", {"placement": "home_for_you", "product_ids": [42, 17, 8]})])
    def post(self, request, customer_id: int):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        placement = _personal_placement(body.validated_data["placement"])
        product_ids = recommendations_generate(customer_id=customer_id, trigger="api", placement=placement)
        return Response({"placement": placement, "product_ids": product_ids})
