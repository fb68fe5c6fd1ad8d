"""The recommendations app's models, one module per concern; this package re-exports them.

- ``questions``: product questions, their answers and the votes on them, FAQ categories, and the
  link of a user to the manufacturer they represent.
- ``content``: the manufacturers' official content (on the manufacturer's page and on products).
"""

from recommendations.models.content import OfficialContent
from recommendations.models.questions import (
    Answer,
    AnswerVote,
    FAQCategory,
    ManufacturerRepresentative,
    ModerationStatus,
    Question,
)

__all__ = [
    "Answer",
    "AnswerVote",
    "FAQCategory",
    "ManufacturerRepresentative",
    "ModerationStatus",
    "OfficialContent",
    "Question",
]
