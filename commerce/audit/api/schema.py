"""What the audit API's schema shows besides the views' own parts: parameters, error answers and
example answers (data, so the view module reads as views)."""

from commerce.api.schema import error_example, error_response

INVALID_FILTER = error_response(
    "A filter value is not valid; `fields` names it.",
    error_example("invalid", "The request is not valid.", {"since": ["Datetime has wrong format."]}),
)

EVENT_EXAMPLE = {
    "id": 981,
    "event_type": "accounts.address.added",
    "stream_type": "customer",
    "stream_id": "17",
    "version": 3,
    "payload": {"customer_id": 17, "address_id": 5, "address": {"city": "Lyon", "country": "FR"}},
    "actor_id": 17,
    "actor_repr": "ada",
    "channel": "api",
    "customer_id": 17,
    "product_id": None,
    "session": "",
    "request_id": "6f1c2b0a9e8d4c7b",
    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
    "occurred_at": "2026-01-15T09:31:00Z",
}

JOURNEY_EXAMPLE = {
    "customer_id": 17,
    "sessions": [
        {
            "session": "3f7a0c5e9b1d2a4c",
            "started_at": "2026-01-15T09:30:00Z",
            "ended_at": "2026-01-15T09:31:10Z",
            "actions": ["product_search", "product_view"],
            "steps": [
                {"action": "product_search", "product_id": None, "at": "2026-01-15T09:30:00Z", "details": {"query": "milk"}},
                {"action": "product_view", "product_id": 42, "at": "2026-01-15T09:31:10Z", "details": {}},
            ],
        }
    ],
    "action_counts": {"product_search": 1, "product_view": 1},
    "viewed_products": [42],
    "searches": ["milk"],
}
