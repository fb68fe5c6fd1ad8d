"""Pieces the logistics endpoints share: who may call them, and how routes and deliveries look.

Commands and the lists of every route and delivery need ``accounts.dispatch_routes`` (the
Dispatchers group). A driver reads their own routes (``/me/routes/``, a route of theirs by id, their
routes by driver id); anyone else's route is not found.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from commerce.api.permissions import has_access
from commerce.api.serializers import MoneyOutputSerializer
from logistics.models import Delivery, FailureReason, Route, Stop
from logistics.selectors import DISPATCH, PROOF_FILES

CanDispatch = has_access(DISPATCH, "You need the dispatch routes permission.")
DISPATCHERS = [IsAuthenticated, CanDispatch]
MAX_DB_ID = 2**63 - 1


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time of the shop's time zone, ``HH:MM`` in and out (JSON Schema's ``time``
    format would ask for a UTC offset, which a delivery window does not have)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class _CentreRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class _DriverRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    licence_class = serializers.CharField()

    def get_name(self, driver) -> str:
        return driver.user.get_full_name() or driver.user.get_username()


class _VehicleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    registration = serializers.CharField()
    name = serializers.CharField()


@extend_schema_field(serializers.URLField(allow_null=True))
class ProofUrlField(serializers.Field):
    """Where a stop's proof picture (``kind``: photo or signature) is served after a check of who asks
    (``StopProofApi``; the files are private, never under a public media URL); null without one."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, stop):
        if not getattr(stop, PROOF_FILES[self.kind]):
            return None
        url = reverse("logistics_api:stop_proof", kwargs={"stop_id": stop.pk, "kind": self.kind})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


@extend_schema_serializer(component_name="RouteStop")
class StopOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    delivery_id = serializers.IntegerField()
    order_number = serializers.CharField(source="delivery.order_number")
    recipient = serializers.CharField(source="delivery.recipient")
    address = serializers.SerializerMethodField()
    latitude = serializers.DecimalField(source="delivery.latitude", max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(source="delivery.longitude", max_digits=9, decimal_places=6, allow_null=True)
    window_start = LocalTimeField(source="delivery.window_start", allow_null=True)
    window_end = LocalTimeField(source="delivery.window_end", allow_null=True)
    planned_arrival = serializers.DateTimeField()
    distance_from_previous_km = serializers.DecimalField(max_digits=9, decimal_places=3)
    load_after_kg = serializers.DecimalField(max_digits=10, decimal_places=3)
    load_after_l = serializers.DecimalField(max_digits=11, decimal_places=3)
    load_after_parcels = serializers.IntegerField()
    state = serializers.ChoiceField(choices=Stop.State.choices)
    locked = serializers.BooleanField(help_text="Pinned to its route by a dispatcher: re-optimising keeps it there.")
    arrived_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    estimated_arrival = serializers.DateTimeField(allow_null=True, help_text="From the driver's progress, while the route is under way.")
    failure_code = serializers.ChoiceField(choices=[("", "None"), *FailureReason.choices])
    failure_reason = serializers.CharField()
    recipient_name = serializers.CharField(help_text="Who took it (the proof of delivery).")
    photo = ProofUrlField(kind="photo")
    signature = ProofUrlField(kind="signature")
    closed_latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True,
                                               help_text="Where the driver's phone was when the stop closed.")
    closed_longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    closed_distance_m = serializers.IntegerField(allow_null=True, help_text="Its distance from the address, in metres.")

    def get_address(self, stop) -> str:
        d = stop.delivery
        return f"{d.street}, {d.zip_code} {d.city}, {d.country}"


@extend_schema_serializer(component_name="DeliveryRoute")
class RouteOutputSerializer(serializers.Serializer):
    """A route with its stops in order and its figures (the spec's DeliveryRoute)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    centre = _CentreRefSerializer()
    date = serializers.DateField()
    state = serializers.ChoiceField(choices=Route.State.choices)
    version = serializers.IntegerField(help_text="Bumped by every edit of its stops: send it back with a dispatch edit, "
                                                 "which is refused (409 plan_stale) when the route moved on meanwhile.")
    driver = _DriverRefSerializer(allow_null=True)
    vehicle = _VehicleRefSerializer(allow_null=True)
    departs_at = serializers.DateTimeField()
    returns_at = serializers.DateTimeField()
    distance_km = serializers.DecimalField(max_digits=9, decimal_places=3, help_text="Road distance, the way back included.")
    duration_minutes = serializers.IntegerField()
    cost = MoneyOutputSerializer(help_text="Vehicle's fixed cost of the day, plus distance and time at its rates.")
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    stops = StopOutputSerializer(many=True, source="stops.all")


@extend_schema_serializer(component_name="Delivery")
class DeliveryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField()
    status = serializers.ChoiceField(choices=Delivery.Status.choices)
    centre = serializers.IntegerField(source="centre_id", allow_null=True)
    zone = serializers.CharField(source="zone.code", allow_null=True, default=None)
    recipient = serializers.CharField()
    street = serializers.CharField()
    city = serializers.CharField()
    zip_code = serializers.CharField()
    country = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    geocoded_by = serializers.ChoiceField(choices=Delivery.GeocodedBy.choices)
    weight_kg = serializers.DecimalField(max_digits=10, decimal_places=3)
    volume_l = serializers.DecimalField(max_digits=11, decimal_places=3)
    parcels = serializers.IntegerField()
    date = serializers.DateField(allow_null=True)
    window_start = LocalTimeField(allow_null=True)
    window_end = LocalTimeField(allow_null=True)
    service_minutes = serializers.IntegerField()
    route_id = serializers.SerializerMethodField(help_text="The route of its open stop, if it is on one.")
    failure_reason = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_route_id(self, delivery) -> int | None:
        stop = getattr(delivery, "open_stop", None)
        return stop.route_id if stop is not None else None
