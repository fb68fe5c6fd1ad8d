"""Accounts REST API (``/api/v1/``): API tokens, sign-up, the shopper's profile and address book.

Every write calls one accounts service; the services record the domain events (channel ``api``,
the authenticated user as actor). Another customer's address is answered as not found.
"""

from django.contrib.auth.validators import UnicodeUsernameValidator
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from commerce.accounts import access, selectors, services
from commerce.accounts.api.schema import (
    ADDRESS_EXAMPLE,
    ADDRESS_ID,
    ADDRESS_NOT_FOUND,
    PROFILE_ANSWER,
    PROFILE_EXAMPLE,
    USER_ALREADY_ANONYMISED,
    USER_ID,
    USER_NOT_FOUND,
)
from commerce.accounts.api.throttles import AuthRateThrottle
from commerce.api.permissions import has_access
from commerce.api.schema import PUBLIC, STAFF, answer, documented, error_example, sent
from commerce.api.serializers import StrictInputSerializer

AUTH_THROTTLES = [AnonRateThrottle, UserRateThrottle, AuthRateThrottle]


def _schema(operation_id: str, summary: str, *, tags=("accounts",), **parts):
    """An accounts operation. Its 400 does not list `unknown_field` (the inputs are strict all the same)."""
    return documented(operation_id, summary, tags=list(tags), unknown_field=False, **parts)


# --- output pieces shared by the profile endpoints -------------------------------------------------
@extend_schema_serializer(component_name="SalesRegionRef")
class SalesRegionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="Profile")
class ProfileOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    # Staff accounts may have no customer profile: then these are null.
    phone = serializers.CharField(source="customer_profile.phone", allow_null=True)
    sales_region = SalesRegionRefSerializer(source="customer_profile.sales_region", allow_null=True)
    groups = serializers.SerializerMethodField()
    date_joined = serializers.DateTimeField()

    def get_groups(self, user) -> list[str]:
        return access.groups_of(user)


@extend_schema_serializer(component_name="Address")
class AddressOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    recipient = serializers.CharField()
    street = serializers.CharField()
    city = serializers.CharField()
    state = serializers.CharField()
    zip_code = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 code.")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    is_default = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class AddressInputSerializer(StrictInputSerializer):
    """The fields a customer sends for an address (all optional when changing one)."""

    label = serializers.CharField(max_length=40, required=False, allow_blank=True)
    recipient = serializers.CharField(max_length=120)
    street = serializers.CharField(max_length=200)
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=100, required=False, allow_blank=True)
    zip_code = serializers.CharField(max_length=20)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", help_text="ISO 3166-1 alpha-2 code, e.g. FR.")
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    is_default = serializers.BooleanField(required=False, help_text="Make this the default delivery address.")

    def validate_country(self, value: str) -> str:
        return value.upper()


# --- auth ---------------------------------------------------------------------------------------
class AuthTokenApi(APIView):
    """API tokens for mobile and other non-browser clients.

    POST the user name and password to get the user's token; mobile clients then send it on
    every request as the header `Authorization: Token <key>`. DELETE logs the client out: the
    token stops working. Browsers use the session cookie of the shop's log-in page instead.
    Log-in attempts are limited per client (throttle scope `auth`).
    """

    throttle_classes = AUTH_THROTTLES
    throttle_scope = "auth"

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema_serializer(component_name="AuthTokenInput")
    class InputSerializer(StrictInputSerializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    @extend_schema_serializer(component_name="AuthToken")
    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
        user_id = serializers.IntegerField()
        username = serializers.CharField()

    @_schema(
        "auth_token_create",
        "Log in: get an API token",
        tags=["auth"],
        ok=OutputSerializer,
        access=PUBLIC,
        request=InputSerializer,
        invalid=[error_example("invalid_credentials", "Unable to log in with the provided credentials.")],
        examples=[
            sent("Credentials", {"username": "ada", "password": "correct-horse-battery"}),
            answer("Token", {"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "user_id": 17, "username": "ada"}, "200"),
        ],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = services.auth_token_issue(**serializer.validated_data, request=request._request)
        return Response(self.OutputSerializer({"token": token.key, "user_id": token.user_id, "username": token.user.username}).data)

    @_schema("auth_token_delete", "Log out: revoke the API token", tags=["auth"], status=204, request=None)
    def delete(self, request):
        services.auth_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- sign-up and profile --------------------------------------------------------------------------
class CustomerRegisterApi(APIView):
    """Sign up as a shopper (Customers group). Then log in with ``POST /api/v1/auth/token/``."""

    permission_classes = [AllowAny]
    throttle_classes = AUTH_THROTTLES
    throttle_scope = "auth"

    @extend_schema_serializer(component_name="CustomerRegisterInput")
    class InputSerializer(StrictInputSerializer):
        # The model's own validator, so the schema documents the characters a user name may hold.
        username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
        password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
        email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
        first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)

    @_schema(
        "accounts_register",
        "Sign up",
        ok=ProfileOutputSerializer,
        status=201,
        access=PUBLIC,
        request=InputSerializer,
        invalid=[
            error_example("registration_invalid", "That user name is taken.", {"username": ["A user with that user name already exists."]}),
            error_example("invalid", "The request is not valid.", {"first_name": ["Ensure this field has no more than 150 characters."]}),
        ],
        examples=[
            sent("Sign-up", {"username": "ada", "password": "correct-horse-battery", "email": "ada@example.com", "first_name": "Ada"}),
            answer("New account", {**PROFILE_EXAMPLE, "phone": "", "sales_region": None, "last_name": ""}, "201"),
        ],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.customer_register(**serializer.validated_data)
        return Response(ProfileOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class ProfileApi(APIView):
    """The logged-in user's own profile."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="ProfileUpdateInput")
    class InputSerializer(StrictInputSerializer):
        first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True)

    @_schema("me_retrieve", "My profile", ok=ProfileOutputSerializer, examples=[PROFILE_ANSWER])
    def get(self, request):
        return Response(ProfileOutputSerializer(request.user).data)

    @_schema(
        "me_update",
        "Change my profile",
        description="Send only the fields to change.",
        ok=ProfileOutputSerializer,
        request=InputSerializer,
        invalid=[error_example("invalid", "The request is not valid.", {"email": ["Enter a valid email address."]})],
        examples=[sent("New phone number", {"phone": "+33 6 12 34 56 78"}), PROFILE_ANSWER],
    )
    def patch(self, request):
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.profile_update(user=request.user, **serializer.validated_data)
        return Response(ProfileOutputSerializer(user).data)


# --- address book ---------------------------------------------------------------------------------
class AddressListApi(APIView):
    """The logged-in customer's addresses: the default one first."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="AddressCreateInput")
    class InputSerializer(AddressInputSerializer):
        pass

    @_schema("me_addresses_list", "My addresses", ok=AddressOutputSerializer(many=True),
             examples=[answer("An address", ADDRESS_EXAMPLE, "200")])
    def get(self, request):
        return Response(AddressOutputSerializer(selectors.address_list(customer=request.user), many=True).data)

    @_schema(
        "me_addresses_create",
        "Add an address",
        description="The first address, or one sent with `is_default: true`, becomes the default.",
        ok=AddressOutputSerializer,
        status=201,
        request=InputSerializer,
        invalid=[error_example("invalid", "The request is not valid.", {"street": ["Ensure this field has no more than 200 characters."]})],
        examples=[
            sent("Home", {k: v for k, v in ADDRESS_EXAMPLE.items() if k not in ("id", "created_at")}),
            answer("Created", ADDRESS_EXAMPLE, "201"),
        ],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = services.address_create(customer=request.user, **serializer.validated_data)
        return Response(AddressOutputSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailApi(APIView):
    """One of the logged-in customer's addresses."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="AddressUpdateInput")
    class InputSerializer(AddressInputSerializer):
        pass

    @_schema("me_addresses_retrieve", "One of my addresses", ok=AddressOutputSerializer, parameters=[ADDRESS_ID],
             errors={404: ADDRESS_NOT_FOUND}, examples=[answer("An address", ADDRESS_EXAMPLE, "200")])
    def get(self, request, address_id: int):
        return Response(AddressOutputSerializer(selectors.address_get(customer=request.user, address_id=address_id)).data)

    @_schema(
        "me_addresses_update",
        "Change one of my addresses",
        description="Send only the fields to change; `is_default: true` makes it the default.",
        ok=AddressOutputSerializer,
        parameters=[ADDRESS_ID],
        request=InputSerializer(partial=True),
        invalid=[error_example("invalid", "The request is not valid.", {"country": ["This value does not match the required pattern."]})],
        errors={404: ADDRESS_NOT_FOUND},
        examples=[sent("New street", {"street": "14 Rue de la République"}), answer("Changed", ADDRESS_EXAMPLE, "200")],
    )
    def patch(self, request, address_id: int):
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        address = services.address_update(customer=request.user, address_id=address_id, **serializer.validated_data)
        return Response(AddressOutputSerializer(address).data)

    @_schema(
        "me_addresses_delete",
        "Remove one of my addresses",
        description="When the default address is removed, the oldest remaining one becomes the default.",
        status=204,
        parameters=[ADDRESS_ID],
        request=None,
        errors={404: ADDRESS_NOT_FOUND},
    )
    def delete(self, request, address_id: int):
        services.address_delete(customer=request.user, address_id=address_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- staff: personal data ----------------------------------------------------------------------------
class UserAnonymiseApi(APIView):
    """Staff who may change users scrub one's personal data, keeping their orders and history."""

    permission_classes = [IsAuthenticated, has_access("accounts.change_user", "You may not change user accounts.")]

    @extend_schema_serializer(component_name="UserAnonymised")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        anonymised_at = serializers.DateTimeField()

    @_schema(
        "accounts_user_anonymise",
        "Anonymise a user",
        description=(
            "Names, e-mail, phone, the address book and API tokens are removed and the account can no longer log "
            "in; orders, reviews (under the new name), questions, answers and the audit trail are kept."
        ),
        tags=("accounts",),
        access=STAFF,
        ok=OutputSerializer,
        request=None,
        parameters=[USER_ID],
        errors={404: USER_NOT_FOUND, 409: USER_ALREADY_ANONYMISED},
        examples=[answer("Anonymised", {"id": 42, "username": "anonymised-42", "anonymised_at": "2026-12-07T21:00:00Z"},
                         "200")],
    )
    def post(self, request, user_id: int):
        user = selectors.user_get_for(viewer=request.user, user_id=user_id)
        user = services.user_anonymise(user=user)
        return Response(self.OutputSerializer(user).data)
