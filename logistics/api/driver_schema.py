"""What the driver app's schema shows besides its views: the stop id, its error answers and examples. Data only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from commerce.api.schema import answer, error_example, error_response

STOP_ID = OpenApiParameter("stop_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Stop id.")

NOT_A_DRIVER = error_response("The user does not drive for the shop.",
                              error_example("permission_denied", "Only drivers use the driver app."))
STOP_NOT_FOUND = error_response("No stop has this id, or it is on another driver's route.",
                                error_example("stop_not_found", "No such stop."))
STOP_TRANSITION_INVALID = error_response(
    "The stop is closed already, the other way.",
    error_example("stop_transition_invalid", "Stop 3 is delivered; it cannot be failed now."),
)
ROUTE_NOT_STARTED = error_response(
    "The stop's route is not under way.",
    error_example("route_not_started", "Route R261208-LYON-3F2A1C is assigned (driver and vehicle): start it before its stops."),
)
PROOF_MISSING = error_example("proof_missing", "This delivery needs its proof: recipient name, signature.",
                              {"recipient_name": ["Required for this delivery."], "signature": ["Required for this delivery."]})
IMAGE_INVALID = error_example("image_invalid", "The file is not a picture the shop can read (JPEG, PNG or WebP).")
FAILURE_INVALID = error_example("failure_invalid", "Say what happened: the reason is other.",
                                {"note": ["Required with the reason other."]})

DRIVER_STOP_EXAMPLE = {
    "id": 31, "route_id": 3, "sequence": 1, "state": "delivered", "order_number": "7KQ2M-XR4TB", "recipient": "Camille Martin",
    "address": "5 Rue Garibaldi, 69003 Lyon, FR", "latitude": "45.760000", "longitude": "4.860000", "parcels": 1,
    "method": "standard", "proof": {"recipient_name": "required", "photo": "optional", "signature": "off"},
    "window_start": "09:00", "window_end": "12:00", "planned_arrival": "2026-12-08T09:10:00+01:00", "estimated_arrival": None,
    "arrived_at": "2026-12-08T09:14:00+01:00", "completed_at": "2026-12-08T09:17:00+01:00", "failure_code": "",
    "failure_reason": "", "recipient_name": "Camille Martin", "photo": "/media/logistics/proofs/2026/12/photo-x1.jpg",
    "signature": None, "distance_m": 18,
}
DRIVER_STOP_ANSWER = answer("A delivered stop", DRIVER_STOP_EXAMPLE)
DRIVER_ROUTE_ANSWER = answer("A route under way", {
    "id": 3, "number": "R261208-LYON-3F2A1C", "date": "2026-12-08", "state": "in_progress", "centre": "Lyon Gerland",
    "vehicle": "GA-123-LY", "departs_at": "2026-12-08T08:40:00+01:00", "returns_at": "2026-12-08T12:02:00+01:00",
    "distance_km": "38.410", "started_at": "2026-12-08T08:41:00+01:00", "completed_at": None, "stops": [DRIVER_STOP_EXAMPLE],
})
