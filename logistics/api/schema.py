"""What the logistics API's schema shows besides the views' own parts: path parameters, the error
answers several endpoints share, and example answers. Data only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from commerce.api.schema import answer, error_example, error_response

ROUTE_ID = OpenApiParameter("route_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Route id.")
DELIVERY_ID = OpenApiParameter("delivery_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Delivery id.")
DRIVER_ID = OpenApiParameter("driver_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Driver id.")

ROUTE_NOT_FOUND = error_response("No route has this id, or it is not yours to see.",
                                 error_example("route_not_found", "No such route."))
DELIVERY_NOT_FOUND = error_response("No delivery has this id.", error_example("delivery_not_found", "No such delivery."))
DRIVER_NOT_FOUND = error_response("No driver has this id, or it is not you.", error_example("driver_not_found", "No such driver."))
ROUTE_TRANSITION_INVALID = error_response(
    "The route's state does not allow this now; nothing changed.",
    error_example("route_transition_invalid", "Route R261208-LYON-3F2A1C is in progress; it cannot be started now."),
)
DELIVERY_TRANSITION_INVALID = error_response(
    "The delivery's status does not allow this now; nothing changed.",
    error_example("delivery_transition_invalid", "Delivery of 7KQ2M-XR4TB is delivered; it cannot deliver now."),
)

STOP_EXAMPLE = {
    "id": 31, "sequence": 1, "delivery_id": 12, "order_number": "7KQ2M-XR4TB", "recipient": "Camille Martin",
    "address": "5 Rue Garibaldi, 69003 Lyon, FR", "latitude": "45.760000", "longitude": "4.860000",
    "window_start": "09:00", "window_end": "17:00", "planned_arrival": "2026-12-08T09:00:00+01:00",
    "distance_from_previous_km": "3.214", "load_after_kg": "12.500", "load_after_l": "30.000", "load_after_parcels": 4,
    "state": "pending", "locked": False, "arrived_at": None, "completed_at": None, "estimated_arrival": None, "failure_code": "",
    "failure_reason": "", "recipient_name": "", "photo": None, "signature": None, "closed_latitude": None,
    "closed_longitude": None, "closed_distance_m": None,
}
ROUTE_EXAMPLE = {
    "id": 3, "number": "R261208-LYON-3F2A1C", "centre": {"id": 1, "code": "lyon-gerland", "name": "Lyon Gerland"},
    "date": "2026-12-08", "state": "assigned", "version": 2, "driver": {"id": 2, "name": "Louis Perrin", "licence_class": "B"},
    "vehicle": {"id": 4, "registration": "GA-123-LY", "name": "Van 1"}, "departs_at": "2026-12-08T07:00:00+01:00",
    "returns_at": "2026-12-08T11:42:00+01:00", "distance_km": "38.410", "duration_minutes": 282,
    "cost": {"amount": "177.84", "currency": "EUR"}, "started_at": None, "completed_at": None, "stops": [STOP_EXAMPLE],
}
ROUTE_ANSWER = answer("A route", ROUTE_EXAMPLE)
DELIVERY_EXAMPLE = {
    "id": 12, "order_number": "7KQ2M-XR4TB", "status": "scheduled", "centre": 1, "zone": "lyon-centre",
    "recipient": "Camille Martin", "street": "5 Rue Garibaldi", "city": "Lyon", "zip_code": "69003", "country": "FR",
    "latitude": "45.760000", "longitude": "4.860000", "geocoded_by": "address", "weight_kg": "4.500", "volume_l": "6.000",
    "parcels": 1, "date": "2026-12-08", "window_start": "09:00", "window_end": "17:00", "service_minutes": 6,
    "route_id": None, "failure_reason": "", "delivered_at": None, "created_at": "2026-12-07T16:02:11+01:00",
}
DELIVERY_ANSWER = answer("A delivery", DELIVERY_EXAMPLE)
