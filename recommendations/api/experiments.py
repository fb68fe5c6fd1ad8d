"""A/B tests over REST (staff): a test's results per variant (rates with 95 % Wilson intervals, the
p-value against the control, the lists seen each arm needs), and starting or stopping it through
the services (``recommendations.ab_test.started`` / ``.stopped``)."""

from __future__ import annotations

import functools

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.permissions import has_access
from commerce.api.schema import STAFF, documented, error_example, error_response, sent
from commerce.api.serializers import MoneyOutputSerializer, StrictInputSerializer
from recommendations.models import Experiment
from recommendations.selectors.experiments import experiment_results
from recommendations.services.experiments import experiment_start, experiment_stop

_schema = functools.partial(documented, tags=["recommendations"])
CanView = has_access("recommendations.view_experiment", "You need the view A/B test permission.")
CanChange = has_access("recommendations.change_experiment", "You need the change A/B test permission.")
EXPERIMENT_ID = OpenApiParameter("experiment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A/B test id.")
NOT_FOUND = error_response("No A/B test has this id.", error_example("experiment_not_found", "No such A/B test."))
WRONG_STATE = error_response("Not in a state that allows it, or another test runs on the placement.",
                             error_example("experiment_state", "The A/B test is running: only a draft starts."))


class RateSerializer(serializers.Serializer):
    successes = serializers.IntegerField(help_text="Lists seen that were clicked (or led to a purchase).")
    n = serializers.IntegerField(help_text="Lists seen.")
    value = serializers.FloatField(allow_null=True)
    low = serializers.SerializerMethodField(help_text="95 % Wilson interval, low end; null without lists seen.")
    high = serializers.SerializerMethodField()
    p_value = serializers.FloatField(allow_null=True, help_text="Against the control (null for the control).")
    needed = serializers.IntegerField(allow_null=True, help_text="Lists seen each arm needs for the test's minimum effect.")

    def get_low(self, rate) -> float | None:
        return rate.interval[0] if rate.interval else None

    def get_high(self, rate) -> float | None:
        return rate.interval[1] if rate.interval else None


class VariantResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="variant.pk")
    key = serializers.CharField(source="variant.key")
    is_control = serializers.BooleanField(source="variant.is_control")
    shoppers = serializers.IntegerField(help_text="Customers and sessions assigned.")
    lists = serializers.IntegerField(source="totals.lists")
    impressions = serializers.IntegerField(source="totals.impressions")
    purchases = serializers.IntegerField(source="totals.purchases")
    revenue = MoneyOutputSerializer(many=True, source="totals.revenue_money")
    clicked = RateSerializer()
    converted = RateSerializer()


@extend_schema_serializer(component_name="ABTestResults")
class ResultsSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="experiment.pk")
    name = serializers.CharField(source="experiment.name")
    placement = serializers.CharField(source="experiment.placement")
    status = serializers.ChoiceField(source="experiment.status", choices=Experiment.Status.choices)
    minimum_effect = serializers.DecimalField(source="experiment.minimum_effect", max_digits=4, decimal_places=2)
    started_at = serializers.DateTimeField(source="experiment.started_at", allow_null=True)
    stopped_at = serializers.DateTimeField(source="experiment.stopped_at", allow_null=True)
    variants = VariantResultSerializer(many=True)


class ExperimentResultsApi(APIView):
    permission_classes = [IsAuthenticated, CanView]

    @_schema("recommendations_ab_test_results", "A/B test results", ok=ResultsSerializer, access=STAFF,
             parameters=[EXPERIMENT_ID], errors={404: NOT_FOUND},
             description="Per variant: shoppers assigned, lists served and seen, the share of lists seen that were "
                         "clicked and that led to a purchase with 95 % Wilson intervals, the p-value against the control "
                         "and the lists seen each arm needs to detect the test's minimum effect.")
    def get(self, request, experiment_id: int):
        return Response(ResultsSerializer(experiment_results(experiment_id=experiment_id)).data)


class ExperimentStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Experiment.Status.choices)


class ExperimentStartApi(APIView):
    permission_classes = [IsAuthenticated, CanChange]

    @_schema("recommendations_ab_test_start", "Start an A/B test", ok=ExperimentStateSerializer, access=STAFF, request=None,
             parameters=[EXPERIMENT_ID], errors={404: NOT_FOUND, 409: WRONG_STATE},
             invalid=[error_example("experiment_invalid", "An A/B test needs one control and at least one other variant.",
                                    {"variants": ["One control and at least one other variant."]})],
             description="A draft with one control and at least one other variant starts splitting its placement's shoppers.")
    def post(self, request, experiment_id: int):
        experiment = experiment_start(experiment_id=experiment_id)
        return Response({"id": experiment.pk, "status": experiment.status})


class ExperimentStopApi(APIView):
    permission_classes = [IsAuthenticated, CanChange]

    class InputSerializer(StrictInputSerializer):
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True)

    @_schema("recommendations_ab_test_stop", "Stop an A/B test", ok=ExperimentStateSerializer, access=STAFF,
             request=InputSerializer, parameters=[EXPERIMENT_ID], errors={404: NOT_FOUND, 409: WRONG_STATE},
             examples=[sent("With a reason", {"reason": "Enough data"})],
             description="The placement serves as it is again; the results stay.")
    def post(self, request, experiment_id: int):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        experiment = experiment_stop(experiment_id=experiment_id, reason=body.validated_data.get("reason", ""))
        return Response({"id": experiment.pk, "status": experiment.status})
