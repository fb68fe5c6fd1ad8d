"""The recommendations back office: one module per model admin (moderation queues, banned words, replies).

- ``questions``: the question and answer moderation queues (bulk approve, reject with a reason,
  filters), answering as the shop, verified answers, FAQ categories, manufacturer representatives;
- ``content``: the manufacturers' official content;
- ``serving``: placements and the merchandisers' rules (pins, exclusions, boosts), the lists served;
- ``performance``: CTR, add-to-cart and conversion rates per placement, intent, model version and day
  (charts over the daily rows), the attributed adds to cart and purchases;
- ``experiments``: A/B tests (variants, start, stop, results with intervals and sample sizes);
- ``engine``: the recommender's model versions (activate) and training runs (retrain, progress).
"""

from recommendations.admin import (
    experiments,  # noqa: F401 (registers the A/B test admin)
    performance,  # noqa: F401 (registers the daily performance and conversion admins)
    reviews,  # noqa: F401 (registers the review admins)
    serving,  # noqa: F401 (registers the placement and list admins)
)
from recommendations.admin.content import OfficialContentAdmin
from recommendations.admin.engine import ModelVersionAdmin, TrainingRunAdmin
from recommendations.admin.questions import (
    AnswerAdmin,
    FAQCategoryAdmin,
    ManufacturerRepresentativeAdmin,
    QuestionAdmin,
)

__all__ = ["AnswerAdmin", "FAQCategoryAdmin", "ManufacturerRepresentativeAdmin", "ModelVersionAdmin", "OfficialContentAdmin",
           "QuestionAdmin", "TrainingRunAdmin"]
