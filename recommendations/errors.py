"""The recommendations app's error codes (``RecommendationsError``) and the errors that own them."""

from enum import StrEnum, unique


@unique
class RecommendationsError(StrEnum):
    pass
