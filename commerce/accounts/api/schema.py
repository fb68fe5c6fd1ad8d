"""What the accounts API's schema shows besides the views' own parts: parameters, error answers and
example answers (data, so the view module reads as views)."""

from drf_spectacular.utils import OpenApiParameter

from commerce.api.schema import answer, error_example, error_response

ADDRESS_ID = OpenApiParameter("address_id", int, OpenApiParameter.PATH, description="Id of one of your addresses.")

ADDRESS_NOT_FOUND = error_response(
    "No address of yours has this id (another customer's address is not found either).",
    error_example("address_not_found", "No such address."),
)

PROFILE_EXAMPLE = {
    "id": 17,
    "username": "ada",
    "email": "ada@example.com",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "phone": "+33 6 12 34 56 78",
    "sales_region": {"id": 2, "code": "lyon", "name": "Lyon"},
    "groups": ["Customers"],
    "date_joined": "2026-01-15T09:30:00Z",
}

ADDRESS_EXAMPLE = {
    "id": 5,
    "label": "Home",
    "recipient": "Ada Lovelace",
    "street": "12 Rue de la République",
    "city": "Lyon",
    "state": "",
    "zip_code": "69002",
    "country": "FR",
    "latitude": "45.764043",
    "longitude": "4.835659",
    "is_default": True,
    "created_at": "2026-01-15T09:31:00Z",
}

PROFILE_ANSWER = answer("Profile", PROFILE_EXAMPLE, "200")

USER_ID = OpenApiParameter("user_id", int, OpenApiParameter.PATH, description="Id of the user account.")

USER_NOT_FOUND = error_response(
    "No user with this id that you may see (the customers of other sales regions are not found either).",
    error_example("customer_not_found", "No such user."),
)

USER_ALREADY_ANONYMISED = error_response(
    "The user's personal data was scrubbed before.",
    error_example("user_already_anonymised", "User 42 was anonymised on 2026-12-07."),
)
