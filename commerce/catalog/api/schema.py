"""What the catalog API's schema shows besides the views' own parts: parameters, error answers and
example answers (data, so the view module reads as views)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from commerce.api.schema import error_example, error_response

PRODUCT_ID = OpenApiParameter("product_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Product id.")

PRODUCT_NOT_FOUND = error_response(
    "No active product with this id.", error_example("product_not_found", "No such product.")
)

IMAGE_EXAMPLE = {
    "id": 7,
    "position": 0,
    "alt_text": "A one-litre carton of organic whole milk",
    "url": "https://shop.example.com/media/products/42/3f9a1c0d2b4e6a81.jpg",
    "width": 1200,
    "height": 900,
    "thumbnails": [
        {"url": f"https://shop.example.com/media/products/42/3f9a1c0d2b4e6a81-{side}w.jpg", "width": side, "height": side * 3 // 4}
        for side in (160, 320, 640, 1024)
    ],
}

PRODUCT_EXAMPLE = {
    "id": 42,
    "code": "BIO-MILK-1L",
    "name": "Organic whole milk 1 l",
    "slug": "organic-whole-milk-1l",
    "price": {"amount": "1.49", "currency": "EUR"},
    "price_now": {"amount": "1.19", "currency": "EUR"},
    "was_price": {"amount": "1.49", "currency": "EUR"},
    "offers": ["-20%", "3 for 2"],
    "category": {"id": 7, "slug": "dairy", "name": "Dairy"},
    "manufacturer": {"id": 3, "slug": "alpine-farms", "name": "Alpine Farms"},
    "is_perishable": True,
    "available": None,
    "in_stock": True,
    "url": "https://shop.example.com/api/v1/products/42/",
    "images": [IMAGE_EXAMPLE],
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

IMAGE_ID = OpenApiParameter("image_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Picture id (of this product).")

STAFF_PRODUCT_NOT_FOUND = error_response(
    "No product with this id (active or not).", error_example("product_not_found", "No such product.")
)
IMAGE_NOT_FOUND = error_response(
    "No such product, or the picture is not one of its pictures.",
    error_example("product_image_not_found", "No such picture of this product."),
)
IMAGE_LIMIT = error_response(
    "The product has as many pictures as it may have.",
    error_example("product_image_limit", "A product has at most 12 pictures; remove one first."),
)
IMAGE_INVALID = error_example(
    "image_invalid",
    "The file is not a picture the shop can read (JPEG, PNG or WebP).",
    {"file": ["The file is not a picture the shop can read (JPEG, PNG or WebP)."]},
)
