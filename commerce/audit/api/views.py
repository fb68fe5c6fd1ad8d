"""Audit REST API (``/api/v1/``): the domain-event store and customer journeys, read-only.

Events are for staff holding ``audit.view_audit_trail``. A customer's journey is customer data:
the customer, and staff who may view that customer (``accounts.view_customers`` and the
customer's sales region, ``commerce.accounts.access.can_access_customer_data``).

Session keys are stored on events to group a journey's steps; they are also what a session
cookie holds, so the API never shows them: it shows a short one-way digest instead.
"""

import functools
import hashlib

from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.accounts import access
from commerce.accounts.errors import CustomerNotFound
from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.permissions import CanViewCustomer
from commerce.api.schema import PAGE_NOT_FOUND, STAFF, documented, error_example, error_response, invalid_filter
from commerce.api.serializers import QueryParamsSerializer
from commerce.audit import selectors
from commerce.audit.api.schema import EVENT_EXAMPLE, INVALID_FILTER, JOURNEY_EXAMPLE

AUDIT_PERMISSION = "audit.view_audit_trail"
CUSTOMERS_PERMISSION = "accounts.view_customers"
SESSION_STREAM = "session"  # journey events of a shopper: the stream id is the session key


# reads for staff (or for the customer, a journey), each with one example answer
_audit_schema = functools.partial(documented, tags=["audit"], access=STAFF)


def session_digest(session_id: str) -> str:
    """A stable label for a session that cannot be used as its cookie."""
    if not session_id or session_id == "-":
        return ""
    return hashlib.sha256(session_id.encode()).hexdigest()[:16]


class CanViewAuditTrail(BasePermission):
    message = "You need the audit trail permission."

    def has_permission(self, request, view):
        user = request.user
        return bool(user.is_authenticated and user.is_staff and access.has_permission(user, AUDIT_PERMISSION))


@extend_schema_serializer(component_name="DomainEvent")
class EventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_type = serializers.CharField(help_text="Dotted type, e.g. `catalog.product.price_changed`.")
    stream_type = serializers.CharField()
    stream_id = serializers.SerializerMethodField(help_text="The entity's id; for `session` streams, the session's digest.")
    version = serializers.IntegerField(help_text="Position in its stream, from 1.")
    payload = serializers.JSONField(help_text="The event's data; secrets are masked.")
    actor_id = serializers.IntegerField(allow_null=True)
    actor_repr = serializers.CharField()
    channel = serializers.CharField(help_text="web, api, admin, task or system.")
    customer_id = serializers.IntegerField(allow_null=True)
    product_id = serializers.IntegerField(allow_null=True)
    session = serializers.SerializerMethodField(help_text="Digest of the shopper's session (empty when none).")
    request_id = serializers.CharField()
    trace_id = serializers.CharField()
    occurred_at = serializers.DateTimeField()

    def get_stream_id(self, event) -> str:
        return session_digest(event.stream_id) if event.stream_type == SESSION_STREAM else event.stream_id

    def get_session(self, event) -> str:
        return session_digest(event.session_id)


class EventListApi(APIView):
    """Domain events, oldest first, filtered and paginated."""

    permission_classes = [CanViewAuditTrail]
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="EventListFilter")
    class FilterSerializer(QueryParamsSerializer):
        event_type = serializers.CharField(max_length=100, required=False, help_text="Exact dotted type.")
        stream_type = serializers.CharField(max_length=40, required=False)
        stream_id = serializers.CharField(max_length=64, required=False)
        customer_id = serializers.IntegerField(min_value=1, required=False)
        product_id = serializers.IntegerField(min_value=1, required=False)
        since = serializers.DateTimeField(required=False, help_text="From this instant (inclusive), ISO 8601.")
        until = serializers.DateTimeField(required=False, help_text="Before this instant (exclusive), ISO 8601.")

        def validate(self, attrs):
            if "since" in attrs and "until" in attrs and attrs["since"] > attrs["until"]:
                raise serializers.ValidationError({"until": ["Must not be before `since`."]})
            return attrs

    @_audit_schema(
        "events_list",
        "Browse the event store",
        ok=EventOutputSerializer(many=True),
        parameters=[FilterSerializer],
        errors={400: INVALID_FILTER, 404: PAGE_NOT_FOUND},
        example=("An address added through the API", EVENT_EXAMPLE),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = selectors.event_list(**filters.validated_data)
        return paginated_response(queryset=events, serializer_class=EventOutputSerializer, request=request, view=self)


class StreamEventListApi(APIView):
    """The events of one stream (an order, a customer, a product, ...) in version order."""

    permission_classes = [CanViewAuditTrail]
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="StreamEventsFilter")
    class FilterSerializer(QueryParamsSerializer):
        from_version = serializers.IntegerField(min_value=1, required=False, default=1, help_text="First version to return.")

    @_audit_schema(
        "stream_events_list",
        "Events of a stream",
        ok=EventOutputSerializer(many=True),
        parameters=[
            OpenApiParameter("stream_type", str, OpenApiParameter.PATH, description="e.g. `customer`, `product`, `order`."),
            OpenApiParameter("stream_id", str, OpenApiParameter.PATH, description="The entity's id."),
            FilterSerializer,
        ],
        errors={
            **invalid_filter("`from_version` is not a whole number of at least 1.", error_example(
                "invalid", "The request is not valid.", {"from_version": ["Ensure this value is greater than or equal to 1."]})),
            404: PAGE_NOT_FOUND,
        },
        example=("A customer's stream", EVENT_EXAMPLE),
    )
    def get(self, request, stream_type: str, stream_id: str):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = selectors.stream_events(stream_type=stream_type, stream_id=stream_id, **filters.validated_data)
        return paginated_response(queryset=events, serializer_class=EventOutputSerializer, request=request, view=self)


@extend_schema_serializer(component_name="JourneyStep")
class JourneyStepSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="`product_search`, `product_view`, ... or a domain event type.")
    product_id = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()
    details = serializers.JSONField()


@extend_schema_serializer(component_name="JourneySession")
class JourneySessionSerializer(serializers.Serializer):
    session = serializers.SerializerMethodField(help_text="Digest of the session (empty for steps outside one).")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    actions = serializers.ListField(child=serializers.CharField())
    steps = JourneyStepSerializer(many=True)

    def get_session(self, session) -> str:
        return session_digest(session.session_id)


class CustomerJourneyApi(APIView):
    """What a customer did, session by session, rebuilt from their events."""

    permission_classes = [IsAuthenticated, CanViewCustomer]

    @extend_schema_serializer(component_name="CustomerJourneyFilter")
    class FilterSerializer(QueryParamsSerializer):
        since = serializers.DateTimeField(required=False, help_text="From this instant (inclusive), ISO 8601.")
        until = serializers.DateTimeField(required=False, help_text="Before this instant (exclusive), ISO 8601.")

    @extend_schema_serializer(component_name="CustomerJourney")
    class OutputSerializer(serializers.Serializer):
        customer_id = serializers.IntegerField()
        sessions = JourneySessionSerializer(many=True)
        action_counts = serializers.DictField(child=serializers.IntegerField())
        viewed_products = serializers.ListField(child=serializers.IntegerField(), help_text="Product ids, first view first.")
        searches = serializers.ListField(child=serializers.CharField())

    @_audit_schema(
        "customer_journey_retrieve",
        "A customer's journey",
        ok=OutputSerializer,
        parameters=[OpenApiParameter("customer_id", int, OpenApiParameter.PATH, description="The customer's user id."), FilterSerializer],
        errors={
            **invalid_filter("`since` or `until` is not an ISO 8601 date-time.", error_example(
                "invalid", "The request is not valid.", {"since": ["Datetime has wrong format."]})),
            404: error_response("No customer has this id.", error_example("customer_not_found", "No such customer.")),
        },
        example=("Searched, then viewed", JOURNEY_EXAMPLE),
    )
    def get(self, request, customer_id: int):
        if not self.customer_exists:
            raise CustomerNotFound("No such customer.")
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        journey = selectors.customer_journey(customer_id=customer_id, **filters.validated_data)
        return Response(self.OutputSerializer(journey).data)
