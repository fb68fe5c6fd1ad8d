"""The recommendations app's domain events (past tense), written to the audit table.

Streams: ``question`` (a question's life), ``answer`` (an answer's life and the votes on it),
``faq_category``, ``representative`` (a manufacturer's representatives, by manufacturer id) and
``official_content``. Payloads are JSON; texts are recorded as written (the audit keeps the history
a moderator may need).
"""

from dataclasses import dataclass
from typing import ClassVar

from commerce.audit.events import DomainEventData


# --- questions --------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _QuestionEvent(DomainEventData):
    stream_type: ClassVar[str] = "question"
    question_id: int
    product_id: int

    @property
    def stream_id(self):
        return self.question_id


@dataclass(frozen=True, kw_only=True)
class QuestionAsked(_QuestionEvent):
    event_type: ClassVar[str] = "recommendations.question.asked"
    customer_id: int
    text: str
    category_id: int | None
    status: str  # pending, or approved when clean questions are approved at once (setting)
    screen_flags: list


@dataclass(frozen=True, kw_only=True)
class QuestionUpdated(_QuestionEvent):
    event_type: ClassVar[str] = "recommendations.question.updated"
    changes: dict  # field -> {"before", "after"}


@dataclass(frozen=True, kw_only=True)
class QuestionApproved(_QuestionEvent):
    event_type: ClassVar[str] = "recommendations.question.approved"
    previous_status: str
    moderator_id: int | None  # None: approved automatically (a clean question, setting)


@dataclass(frozen=True, kw_only=True)
class QuestionRejected(_QuestionEvent):
    event_type: ClassVar[str] = "recommendations.question.rejected"
    previous_status: str
    moderator_id: int | None
    reason: str


# --- answers ----------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _AnswerEvent(DomainEventData):
    stream_type: ClassVar[str] = "answer"
    answer_id: int
    question_id: int
    product_id: int

    @property
    def stream_id(self):
        return self.answer_id


@dataclass(frozen=True, kw_only=True)
class QuestionAnswered(_AnswerEvent):
    event_type: ClassVar[str] = "recommendations.question.answered"
    author_id: int
    role: str
    text: str
    status: str
    screen_flags: list


@dataclass(frozen=True, kw_only=True)
class AnswerApproved(_AnswerEvent):
    event_type: ClassVar[str] = "recommendations.answer.approved"
    previous_status: str
    moderator_id: int | None


@dataclass(frozen=True, kw_only=True)
class AnswerRejected(_AnswerEvent):
    event_type: ClassVar[str] = "recommendations.answer.rejected"
    previous_status: str
    moderator_id: int | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class AnswerVoted(_AnswerEvent):
    event_type: ClassVar[str] = "recommendations.answer.voted"
    customer_id: int
    value: str  # up, down, or none (the vote withdrawn)
    previous: str  # up, down or none
    up_votes: int
    down_votes: int


@dataclass(frozen=True, kw_only=True)
class AnswerVerified(_AnswerEvent):
    event_type: ClassVar[str] = "recommendations.answer.verified"
    verified: bool  # False: the mark taken off
    moderator_id: int


# --- FAQ categories and representatives -------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class FAQCategorySaved(DomainEventData):
    event_type: ClassVar[str] = "recommendations.faq_category.saved"
    stream_type: ClassVar[str] = "faq_category"
    category_id: int
    name: str
    slug: str
    position: int
    created: bool

    @property
    def stream_id(self):
        return self.category_id


@dataclass(frozen=True, kw_only=True)
class _RepresentativeEvent(DomainEventData):
    stream_type: ClassVar[str] = "representative"
    manufacturer_id: int
    user_id: int

    @property
    def stream_id(self):
        return self.manufacturer_id


@dataclass(frozen=True, kw_only=True)
class RepresentativeAdded(_RepresentativeEvent):
    event_type: ClassVar[str] = "recommendations.representative.added"


@dataclass(frozen=True, kw_only=True)
class RepresentativeRemoved(_RepresentativeEvent):
    event_type: ClassVar[str] = "recommendations.representative.removed"


# --- official content -------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class _ContentEvent(DomainEventData):
    stream_type: ClassVar[str] = "official_content"
    content_id: int
    manufacturer_id: int
    product_id: int | None

    @property
    def stream_id(self):
        return self.content_id


@dataclass(frozen=True, kw_only=True)
class OfficialContentCreated(_ContentEvent):
    event_type: ClassVar[str] = "recommendations.content.created"
    values: dict


@dataclass(frozen=True, kw_only=True)
class OfficialContentUpdated(_ContentEvent):
    event_type: ClassVar[str] = "recommendations.content.updated"
    changes: dict  # field -> {"before", "after"}


@dataclass(frozen=True, kw_only=True)
class OfficialContentDeleted(_ContentEvent):
    event_type: ClassVar[str] = "recommendations.content.deleted"
    title: str
