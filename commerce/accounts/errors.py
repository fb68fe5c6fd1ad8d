from commerce.errors import NotFound, ValidationError


class AddressNotFound(NotFound):
    default_code = "address_not_found"


class CustomerNotFound(NotFound):
    default_code = "customer_not_found"


class RegistrationInvalid(ValidationError):
    default_code = "registration_invalid"


class InvalidCredentials(ValidationError):
    default_code = "invalid_credentials"
