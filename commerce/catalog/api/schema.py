"""What the catalog API's schema shows besides the views' own parts: parameters, error answers and
example answers (data, so the view module reads as views)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from commerce.api.schema import error_example, error_response

PRODUCT_ID = OpenApiParameter("product_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Product id.")

PRODUCT_NOT_FOUND = error_response(
    "No active product with this id.", error_example("product_not_found", "No such product.")
)

PRODUCT_EXAMPLE = {
    "id": 42,
    "code": "BIO-MILK-1L",
    "name": "Organic whole milk 1 l",
    "slug": "organic-whole-milk-1l",
    "price": {"amount": "1.49", "currency": "EUR"},
    "category": {"id": 7, "slug": "dairy", "name": "Dairy"},
    "manufacturer": {"id": 3, "slug": "alpine-farms", "name": "Alpine Farms"},
    "is_perishable": True,
    "available": 120,
    "in_stock": True,
    "url": "https://shop.example.com/api/v1/products/42/",
}

PRODUCT_DETAIL_EXAMPLE = {
    **PRODUCT_EXAMPLE,
    "manufacturer": {
        "id": 3,
        "slug": "alpine-farms",
        "name": "Alpine Farms",
        "description": "Family dairy in the Alps since 1921.",
        "website": "https://alpine-farms.example.com",
        "support_email": "help@alpine-farms.example.com",
        "support_phone": "+33 4 00 00 00 00",
    },
    "description": "Fresh organic whole milk, 3.5% fat.",
    "weight_kg": "1.030",
    "volume_l": "1.000",
}
