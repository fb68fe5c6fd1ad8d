"""The recommendations app's models, one module per concern; this package re-exports them.

- ``questions``: product questions, their answers and the votes on them, FAQ categories, and the
  link of a user to the manufacturer they represent.
- ``reviews``: reviews, their photos, votes and flags, banned words, the rating summary read model.
- ``content``: the manufacturers' official content (on the manufacturer's page and on products).
- ``serving``: placements and their rules, the lists served and their clicks, product pairs bought together.
- ``tracking``: adds to cart and purchases attributed to the lists, and the lists' performance per day.
- ``experiments``: A/B tests of a placement, their variants and the shoppers' assignments.
- ``engine``: the recommender's trained model versions and the runs that train them.
"""

from recommendations.models.content import OfficialContent
from recommendations.models.engine import Algorithm, ModelVersion, Purpose, TrainingRun
from recommendations.models.experiments import Experiment, ExperimentAssignment, ExperimentVariant
from recommendations.models.questions import (
    Answer,
    AnswerVote,
    FAQCategory,
    ManufacturerRepresentative,
    ModerationStatus,
    Question,
)
from recommendations.models.reviews import (
    AXES,
    BannedWord,
    ProductRatingSummary,
    Review,
    ReviewFlag,
    ReviewPhoto,
    ReviewVote,
)
from recommendations.models.serving import (
    Intent,
    Placement,
    PlacementRule,
    ProductPair,
    RecommendationClick,
    RecommendationList,
)
from recommendations.models.tracking import RecommendationConversion, RecommendationDayStat

__all__ = [
    "Intent",
    "Placement",
    "PlacementRule",
    "ProductPair",
    "RecommendationClick",
    "RecommendationList",
    "RecommendationConversion",
    "RecommendationDayStat",
    "Experiment",
    "ExperimentAssignment",
    "ExperimentVariant",
    "AXES",
    "Algorithm",
    "ModelVersion",
    "Purpose",
    "TrainingRun",
    "Answer",
    "BannedWord",
    "ProductRatingSummary",
    "Review",
    "ReviewFlag",
    "ReviewPhoto",
    "ReviewVote",
    "AnswerVote",
    "FAQCategory",
    "ManufacturerRepresentative",
    "ModerationStatus",
    "OfficialContent",
    "Question",
]
