"""The mail framework's error codes (``MailError``) and the errors that own them."""

from enum import StrEnum, unique

from commerce.errors import Conflict, NotFound, ValidationError


@unique
class MailError(StrEnum):
    MAIL_NOT_FOUND = "mail_not_found"
    MAIL_INVALID = "mail_invalid"
    MAIL_NOT_RESENDABLE = "mail_not_resendable"


class MailNotFound(NotFound):
    default_code = MailError.MAIL_NOT_FOUND


class MailInvalid(ValidationError):
    """A mail without a usable key, recipient or template: a programming error of the caller."""

    default_code = MailError.MAIL_INVALID


class MailNotResendable(Conflict):
    """Only a failed mail is queued again: a sent one was delivered, a queued one is on its way."""

    default_code = MailError.MAIL_NOT_RESENDABLE
