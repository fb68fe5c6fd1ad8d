"""The accounts app's error codes (``AccountsError``) and the errors that own them."""

from enum import StrEnum, unique

from commerce.errors import NotFound, ValidationError


@unique
class AccountsError(StrEnum):
    ADDRESS_NOT_FOUND = "address_not_found"
    CUSTOMER_NOT_FOUND = "customer_not_found"
    REGISTRATION_INVALID = "registration_invalid"
    INVALID_CREDENTIALS = "invalid_credentials"


class AddressNotFound(NotFound):
    default_code = AccountsError.ADDRESS_NOT_FOUND


class CustomerNotFound(NotFound):
    default_code = AccountsError.CUSTOMER_NOT_FOUND


class RegistrationInvalid(ValidationError):
    default_code = AccountsError.REGISTRATION_INVALID


class InvalidCredentials(ValidationError):
    default_code = AccountsError.INVALID_CREDENTIALS
