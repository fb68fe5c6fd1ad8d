"""What the promotions API's schema shows besides the views' own parts: path parameters, the error
answers several endpoints share, and example requests and answers.

The views say which of these they answer with (``@documented(...)`` and ``staff_schema``); this
module is data, so the view modules read as views.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from commerce.api.schema import answer, error_example, error_response

# --- shared by the promotions endpoints -----------------------------------------------------------
PROMOTION_ID = OpenApiParameter("promotion_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Promotion id.")

CAMPAIGN_ID = OpenApiParameter("campaign_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Campaign id.")

SEGMENT_ID = OpenApiParameter("segment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Segment id.")

BATCH_ID = OpenApiParameter("batch_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Coupon batch id.")

COUPON_CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Coupon code (matched case-insensitively)."
)

PROMOTION_NOT_FOUND = error_response("No promotion has this id.", error_example("promotion_not_found", "No such promotion."))

CAMPAIGN_NOT_FOUND = error_response("No campaign has this id.", error_example("campaign_not_found", "No such campaign."))

SEGMENT_NOT_FOUND = error_response("No segment has this id.", error_example("segment_not_found", "No such segment."))

BATCH_NOT_FOUND = error_response("No coupon batch has this id.", error_example("coupon_batch_not_found", "No such coupon batch."))

COUPON_NOT_FOUND = error_response("No coupon has this code.", error_example("coupon_unknown", "No such coupon."))

INVALID_TRANSITION = error_response(
    "The status does not allow this now; nothing changed.",
    error_example("invalid_transition", "The promotion is expired; it cannot be activated now."),
)

PROMOTION_SUMMARY_EXAMPLE = {
    "id": 7,
    "name": "Spring 10 % off",
    "badge": "10% off",
    "status": "active",
    "campaign": 3,
    "discount_class": "order",
    "benefit_type": "percentage",
    "requires_coupon": True,
    "priority": 0,
    "valid_from": "2026-03-01T00:00:00Z",
    "valid_to": "2026-03-31T23:59:59Z",
    "usage_count": 118,
    "usage_limit": 1000,
    "discount_granted": {"amount": "412.30", "currency": "EUR"},
}

PROMOTION_EXAMPLE = {
    **PROMOTION_SUMMARY_EXAMPLE,
    "description": "10 % off any order of 30 EUR or more with the code SPRING10.",
    "own_badge": "",
    "combines_with": ["product", "shipping"],
    "exclusive": False,
    "percent": "10.00",
    "amount": None,
    "currency": "EUR",
    "buy_quantity": None,
    "get_quantity": None,
    "get_percent": "100.00",
    "get_products": [],
    "bundle_quantity": None,
    "tiers": [],
    "min_subtotal": {"amount": "30.00", "currency": "EUR"},
    "min_quantity": None,
    "target_products": [],
    "target_categories": [],
    "target_manufacturers": [],
    "segments": [],
    "usage_limit_per_customer": 1,
    "activated_at": "2026-02-27T10:00:00Z",
    "deactivated_at": None,
    "created_at": "2026-02-20T09:00:00Z",
    "updated_at": "2026-02-27T10:00:00Z",
}

PUBLIC_PROMOTION_EXAMPLE = {
    "id": 9,
    "name": "Three for two on yoghurts",
    "description": "Buy two yoghurts, get the third free.",
    "badge": "3 for 2",
    "discount_class": "product",
    "benefit_type": "buy_x_get_y",
    "requires_coupon": False,
    "min_subtotal": None,
    "min_quantity": None,
    "valid_from": "2026-03-01T00:00:00Z",
    "valid_to": None,
}

COUPON_EXAMPLE = {
    "id": 501,
    "code": "SPRING-7K2QM93XTD",
    "promotion": 7,
    "batch": 12,
    "status": "active",
    "max_uses": 1,
    "used_count": 0,
    "uses_left": 1,
    "assigned_to": 17,
    "expires_at": "2026-03-31T23:59:59Z",
    "assigned_at": "2026-03-01T08:00:00Z",
    "invalidated_at": None,
    "created_at": "2026-02-28T16:00:00Z",
}


# --- promotions -----------------------------------------------------------------------------------
PROMOTION_ANSWER = answer("The promotion", PROMOTION_EXAMPLE, "200", "201")

PROMOTION_INVALID = error_example(
    "promotion_invalid",
    "The promotion is not valid: A percentage above 0 and at most 100.",
    {"percent": ["A percentage above 0 and at most 100."]},
)

PERFORMANCE_EXAMPLE = {
    "promotion": 7,
    "period": "week",
    "periods": [
        {"period": "2026-03-02T00:00:00Z", "orders": 40, "units": 96,
         "revenue": {"amount": "1388.00", "currency": "EUR"}, "discount": {"amount": "138.80", "currency": "EUR"}},
    ],
    "orders": 40,
    "units": 96,
    "revenue": {"amount": "1388.00", "currency": "EUR"},
    "discount": {"amount": "138.80", "currency": "EUR"},
}

SIMULATION_EXAMPLE = {
    "currency": "EUR",
    "lines": [{"index": 0, "product_id": 42, "code": "BIO-MILK-1L", "name": "Organic whole milk 1 l",
               "quantity": 3, "unit_price": {"amount": "10.00", "currency": "EUR"},
               "subtotal": {"amount": "30.00", "currency": "EUR"}, "discount": {"amount": "3.00", "currency": "EUR"},
               "total": {"amount": "27.00", "currency": "EUR"}}],
    "subtotal": {"amount": "30.00", "currency": "EUR"},
    "discount_total": {"amount": "3.00", "currency": "EUR"},
    "shipping": {"amount": "4.90", "currency": "EUR"},
    "shipping_discount": {"amount": "0.00", "currency": "EUR"},
    "total": {"amount": "31.90", "currency": "EUR"},
    "applied": [{"key": "promotion:7", "promotion": 7, "name": "Spring 10 % off", "code": "SPRING10",
                 "amount": {"amount": "3.00", "currency": "EUR"},
                 "line_amounts": [{"index": 0, "amount": {"amount": "3.00", "currency": "EUR"}}],
                 "shipping_amount": None}],
    "not_applied": [{"key": "promotion:8", "promotion": 8, "name": "Free shipping from 50 EUR",
                     "reason": "minimum_not_reached", "message": "Needs a subtotal of at least 50.00.",
                     "hint": "Spend 20.00 more"}],
    "coupons": [{"code": "SPRING10", "accepted": True, "reason": "", "message": ""}],
}


# --- campaigns ------------------------------------------------------------------------------------
CAMPAIGN_EXAMPLE = {
    "id": 3,
    "name": "Spring sale",
    "description": "Three weeks of spring offers.",
    "status": "active",
    "starts_at": "2026-03-01T00:00:00Z",
    "ends_at": "2026-03-21T23:59:59Z",
    "currency": "EUR",
    "budget": {"amount": "5000.00", "currency": "EUR"},
    "spent": {"amount": "412.30", "currency": "EUR"},
    "promotion_count": 4,
    "launched_at": "2026-02-27T10:00:00Z",
    "ended_at": None,
    "created_at": "2026-02-20T09:00:00Z",
}

CAMPAIGN_ANSWER = answer("The campaign", CAMPAIGN_EXAMPLE, "200", "201")

CAMPAIGN_INVALID = error_example("campaign_invalid", "The campaign is not valid: Ends after it starts.",
                                 {"ends_at": ["Ends after it starts."]})

ROI_EXAMPLE = {"campaign": 3, "orders": 118, "revenue": {"amount": "4123.00", "currency": "EUR"},
               "discount": {"amount": "412.30", "currency": "EUR"}, "roi": "9.0000",
               "budget": {"amount": "5000.00", "currency": "EUR"}, "spent": {"amount": "412.30", "currency": "EUR"},
               "budget_left": {"amount": "4587.70", "currency": "EUR"}}


# --- coupons --------------------------------------------------------------------------------------
COUPON_ANSWER = answer("The coupon", COUPON_EXAMPLE, "200", "201")

NO_NEW_COUPONS = error_response(
    "The promotion is expired or deleted: it takes no new coupons.",
    error_example("invalid_transition", "The promotion is expired; it takes no new coupons."),
)

COUPON_CREATE_ERRORS = {
    404: error_response(
        "No promotion (or no customer for `assigned_to`) has this id.",
        error_example("promotion_not_found", "No such promotion."),
        error_example("customer_not_found", "No such customer."),
    ),
    409: error_response(
        "The code is taken, or the promotion takes no new coupons.",
        error_example("coupon_code_taken", "The code SPRING10 is already in use.", {"code": ["Already in use."]}),
        error_example("invalid_transition", "The promotion is expired; it takes no new coupons."),
    ),
}

DISTRIBUTE_ERRORS = {
    404: error_response(
        "No such batch or segment.",
        error_example("coupon_batch_not_found", "No such coupon batch."),
        error_example("segment_not_found", "No such segment."),
    ),
    409: error_response(
        "The batch has too few unassigned coupons; nothing was assigned.",
        error_example("not_enough_coupons", "The batch has 10 unassigned coupons for 25 customers; generate more first."),
    ),
}

BATCH_EXAMPLE = {"batch_id": 12, "promotion": 7, "prefix": "SPRING", "quantity": 2, "max_uses": 1,
                 "expires_at": "2026-03-31T23:59:59Z", "created_at": "2026-02-28T16:00:00Z",
                 "codes": ["SPRING-7K2QM93XTD", "SPRING-Q4W8ZP2M0C"],
                 "csv_url": "https://shop.example.com/api/v1/coupon-batches/12/csv/"}

CSV_ANSWER = OpenApiResponse(
    response=OpenApiTypes.STR,
    description="The CSV file (UTF-8), streamed.",
    examples=[OpenApiExample(
        "Two codes",
        value="code,status,max_uses,used_count,assigned_to,expires_at,promotion\r\n"
              "SPRING-7K2QM93XTD,active,1,0,ada,2026-03-31T23:59:59+00:00,Spring 10 % off\r\n"
              "SPRING-Q4W8ZP2M0C,active,1,1,,2026-03-31T23:59:59+00:00,Spring 10 % off\r\n",
    )],
)

USAGE_EXAMPLE = answer("Usage", {
    "issued": 500, "assigned": 320, "redeemed": 118, "uses": 118, "invalidated": 2, "redemption_rate": "0.2360",
    "by_batch": [{"batch_id": 12, "prefix": "SPRING", "issued": 500, "assigned": 320, "redeemed": 118, "uses": 118,
                  "invalidated": 2, "redemption_rate": "0.2360"}],
}, "200")


# --- segments -------------------------------------------------------------------------------------
SEGMENT_EXAMPLE = {
    "id": 4,
    "code": "vip",
    "name": "VIP customers",
    "description": "Three orders or more and 500 EUR spent.",
    "kind": "rfm",
    "is_dynamic": True,
    "group": None,
    "sales_region": None,
    "min_lifetime_value": None,
    "rfm_label": "vip",
    "member_count": 25,
    "refreshed_at": "2026-03-01T03:00:00Z",
    "created_at": "2026-02-01T09:00:00Z",
}

SEGMENT_ANSWER = answer("The segment", SEGMENT_EXAMPLE, "200", "201")

SEGMENT_INVALID = error_example("segment_invalid", "The segment is not valid: Required for this kind of segment.",
                                {"rfm_label": ["Required for this kind of segment."]})


# --- offers for shoppers --------------------------------------------------------------------------
PUBLIC_ANSWER = answer("A promotion", PUBLIC_PROMOTION_EXAMPLE, "200")

MY_COUPON_NOT_FOUND = error_response(
    "You hold no coupon with this code (another customer's coupon is not found either).",
    error_example("coupon_unknown", "No such coupon."),
)

MY_COUPON_EXAMPLE = {
    "code": "SPRING-7K2QM93XTD",
    "promotion": {**PUBLIC_PROMOTION_EXAMPLE, "id": 7, "name": "Spring 10 % off", "description": "",
                  "badge": "10% off", "discount_class": "order", "benefit_type": "percentage", "requires_coupon": True,
                  "min_subtotal": {"amount": "30.00", "currency": "EUR"}},
    "status": "usable",
    "status_label": "Ready to use",
    "max_uses": 1,
    "used_count": 0,
    "uses_left": 1,
    "valid_from": "2026-03-01T00:00:00Z",
    "expires_at": "2026-03-31T23:59:59Z",
    "assigned_at": "2026-03-01T08:00:00Z",
}

MY_COUPON_ANSWER = answer("A coupon", MY_COUPON_EXAMPLE, "200")
