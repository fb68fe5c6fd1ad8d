"""The accounts app's error codes (``AccountsError``) and the errors that own them."""

from enum import StrEnum, unique

from commerce.errors import Conflict, NotFound, ValidationError


@unique
class AccountsError(StrEnum):
    ADDRESS_NOT_FOUND = "address_not_found"
    CUSTOMER_NOT_FOUND = "customer_not_found"
    REGISTRATION_INVALID = "registration_invalid"
    INVALID_CREDENTIALS = "invalid_credentials"
    USER_HAS_HISTORY = "user_has_history"
    USER_ALREADY_ANONYMISED = "user_already_anonymised"


class AddressNotFound(NotFound):
    default_code = AccountsError.ADDRESS_NOT_FOUND


class CustomerNotFound(NotFound):
    default_code = AccountsError.CUSTOMER_NOT_FOUND


class RegistrationInvalid(ValidationError):
    default_code = AccountsError.REGISTRATION_INVALID


class InvalidCredentials(ValidationError):
    default_code = AccountsError.INVALID_CREDENTIALS


class UserHasHistory(Conflict):
    """A user whose orders, redemptions, questions or answers (or driver's record) must be kept."""

    default_code = AccountsError.USER_HAS_HISTORY


class UserAlreadyAnonymised(Conflict):
    """A user whose personal data was scrubbed before: there is nothing left to scrub."""

    default_code = AccountsError.USER_ALREADY_ANONYMISED
