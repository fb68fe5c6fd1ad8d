"""The logistics app's error codes (``LogisticsError``) and the errors that own them."""

from enum import StrEnum, unique


@unique
class LogisticsError(StrEnum):
    pass
