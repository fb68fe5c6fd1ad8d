"""The recommendations app's models, one module per concern; re-exported here so that
``from recommendations.models import Review`` works and Django finds every model."""

from recommendations.models.reviews import (
    AXES,
    BannedWord,
    ProductRatingSummary,
    Review,
    ReviewFlag,
    ReviewPhoto,
    ReviewVote,
)

__all__ = ["AXES", "BannedWord", "ProductRatingSummary", "Review", "ReviewFlag", "ReviewPhoto", "ReviewVote"]
