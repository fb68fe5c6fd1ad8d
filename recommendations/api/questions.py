"""Product questions and answers: read a product's questions (public), ask, answer and vote (logged
in), and moderate (``accounts.moderate_reviews``): approve, reject with a reason, correct, verify;
FAQ categories. Each write calls one service; a refusal keeps its service's code.
"""

from __future__ import annotations

import functools

from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.permissions import has_access
from commerce.api.schema import (
    PAGE_NOT_FOUND,
    PUBLIC,
    STAFF,
    answer,
    documented,
    error_example,
    error_response,
    invalid_filter,
    sent,
)
from commerce.api.serializers import QueryParamsSerializer, StrictInputSerializer
from commerce.catalog.selectors import product_get
from commerce.parsing import MAX_ID
from recommendations import services
from recommendations.api import questions_schema as doc
from recommendations.models import Answer, ModerationStatus
from recommendations.models.questions import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH, REASON_MAX_LENGTH
from recommendations.selectors import questions as selectors

_schema = functools.partial(documented, tags=["questions"])

CanModerate = has_access("accounts.moderate_reviews", "You need the moderate reviews permission.")
MODERATORS = [IsAuthenticated, CanModerate]


# --- output -----------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="FAQCategory")
class CategoryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    position = serializers.IntegerField()


@extend_schema_serializer(component_name="QuestionCategory")
class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


def _author_name(answer: Answer) -> str:
    return selectors.public_name(answer.author) if answer.role == Answer.Role.BUYER else answer.get_role_display()


@extend_schema_serializer(component_name="Answer")
class AnswerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question_id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Answer.Role.choices, help_text="Who answered: the shop, the manufacturer, a buyer.")
    role_label = serializers.CharField(source="get_role_display")
    author_name = serializers.SerializerMethodField(help_text="A buyer's first name; the shop or the manufacturer.")
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=ModerationStatus.choices)
    is_verified = serializers.BooleanField(help_text="Marked correct and official by the shop.")
    up_votes = serializers.IntegerField()
    down_votes = serializers.IntegerField()
    score = serializers.IntegerField(help_text="Up votes less down votes.")
    created_at = serializers.DateTimeField()

    def get_author_name(self, answer) -> str:
        return _author_name(answer)


@extend_schema_serializer(component_name="AnswerForModeration")
class ModerationAnswerOutputSerializer(AnswerOutputSerializer):
    author_id = serializers.IntegerField()
    screen_flags = serializers.ListField(child=serializers.CharField(), help_text="What the spam screen noticed.")
    rejection_reason = serializers.CharField()


@extend_schema_serializer(component_name="Question")
class QuestionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    text = serializers.CharField()
    category = CategoryRefSerializer(allow_null=True)
    author_name = serializers.SerializerMethodField(help_text="The asker's first name, or \"A shopper\".")
    status = serializers.ChoiceField(choices=ModerationStatus.choices)
    rejection_reason = serializers.CharField(help_text="Why a moderator refused it (shown to its author).")
    answer_count = serializers.IntegerField(help_text="Published answers.")
    vote_count = serializers.IntegerField(help_text="Votes on its published answers.")
    created_at = serializers.DateTimeField()
    answers = AnswerOutputSerializer(many=True, source="approved_answers", help_text="Published answers, verified first.")

    def get_author_name(self, question) -> str:
        return selectors.public_name(question.author)


@extend_schema_serializer(component_name="QuestionForModeration")
class ModerationQuestionOutputSerializer(QuestionOutputSerializer):
    author_id = serializers.IntegerField()
    screen_flags = serializers.ListField(child=serializers.CharField(), help_text="What the spam screen noticed.")
    product_name = serializers.CharField(source="product.name")


def _question(question_id: int, requester) -> dict:
    return QuestionOutputSerializer(selectors.question_get(question_id=question_id, requester=requester)).data


def _answer(answer_id: int, requester) -> dict:
    return AnswerOutputSerializer(selectors.answer_get(answer_id=answer_id, requester=requester)).data


# --- a product's questions --------------------------------------------------------------------------
class ProductQuestionsQuery(QueryParamsSerializer):
    sort = serializers.ChoiceField(choices=selectors.SORTS, required=False, default="popular")
    category = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text="FAQ category id.")
    q = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="Words in the question or its answers.")


FILTERS = [
    OpenApiParameter("sort", str, enum=list(selectors.SORTS), description="popular (votes, then answers; default), newest, oldest."),
    OpenApiParameter("category", int, description="Only this FAQ category's questions."),
    OpenApiParameter("q", str, description="Words in the question or its published answers."),
]


class ProductQuestionListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="QuestionAskInput")
    class InputSerializer(StrictInputSerializer):
        text = serializers.CharField(max_length=QUESTION_MAX_LENGTH, help_text="Plain text, 5 to 1000 characters; no HTML.")
        category_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)

    @_schema(
        "products_questions_list", "A product's questions",
        description="Published questions with their published answers (verified first), popular first by default.",
        ok=QuestionOutputSerializer(many=True), access=PUBLIC, parameters=[doc.PRODUCT_ID, *FILTERS],
        errors={**invalid_filter("A filter is not valid.", error_example("invalid", "Invalid input.", {"sort": ['"x" is not a valid choice.']})),
                404: doc.PRODUCT_NOT_FOUND},
        examples=[doc.QUESTION_LIST_ANSWER],
    )
    def get(self, request, product_id: int):
        product = product_get(pk=product_id)
        query = ProductQuestionsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        questions = selectors.question_list(product_id=product.pk, sort=filters["sort"], category_id=filters.get("category"),
                                            query=filters.get("q", ""))
        return paginated_response(queryset=questions, serializer_class=QuestionOutputSerializer, request=request, view=self)

    @_schema(
        "products_questions_create", "Ask a question",
        description="Waits for a moderator before it is published (unless the shop approves clean questions at once): "
                    "`status` says which. Asking the same question twice is refused.",
        ok=QuestionOutputSerializer, status=201, request=InputSerializer, parameters=[doc.PRODUCT_ID],
        invalid=[doc.TEXT_INVALID, doc.CATEGORY_INVALID],
        errors={404: doc.PRODUCT_NOT_FOUND,
                409: error_response("Asked already.", error_example("question_duplicate", "You asked this question about this product already."))},
        examples=[sent("A question", {"text": "Is the lid dishwasher safe?"}), doc.QUESTION_ANSWER],
    )
    def post(self, request, product_id: int):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        question = services.question_ask(customer=request.user, product_id=product_id, text=body.validated_data["text"],
                                         category_id=body.validated_data.get("category_id"))
        return Response(_question(question.pk, request.user), status=status.HTTP_201_CREATED)


class PopularQuestionsQuery(QueryParamsSerializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, required=False, default=5)


class ProductPopularQuestionsApi(APIView):
    permission_classes = [AllowAny]

    @_schema(
        "products_questions_popular", "A product's popular questions",
        description="The published questions whose answers got the most votes, then those with the most answers.",
        ok=QuestionOutputSerializer(many=True), access=PUBLIC,
        parameters=[doc.PRODUCT_ID, OpenApiParameter("limit", int, description="How many, 1 to 50 (default 5).")],
        errors={**invalid_filter("The limit is not 1 to 50.", error_example("invalid", "Invalid input.", {"limit": ["Ensure this value is less than or equal to 50."]})),
                404: doc.PRODUCT_NOT_FOUND},
        examples=[answer("Popular", [doc.QUESTION_EXAMPLE])],
    )
    def get(self, request, product_id: int):
        product = product_get(pk=product_id)
        query = PopularQuestionsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        questions = selectors.popular_questions(product_id=product.pk, limit=query.validated_data["limit"])
        return Response(QuestionOutputSerializer(questions, many=True).data)


# --- one question, its answers, votes ---------------------------------------------------------------
class QuestionDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema_serializer(component_name="QuestionUpdateInput")
    class InputSerializer(StrictInputSerializer):
        text = serializers.CharField(max_length=QUESTION_MAX_LENGTH, required=False)
        category_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True,
                                               help_text="null: no category.")

    @_schema("questions_retrieve", "One question", description="A pending or rejected question is shown to its author only.",
             ok=QuestionOutputSerializer, access=PUBLIC, parameters=[doc.QUESTION_ID],
             errors={404: doc.QUESTION_NOT_FOUND}, examples=[doc.QUESTION_ANSWER])
    def get(self, request, question_id: int):
        return Response(_question(question_id, request.user))

    @_schema("questions_update", "Correct a question (moderators)",
             description="Fix the text or file it under a category; send only what changes.",
             ok=QuestionOutputSerializer, access=STAFF, request=InputSerializer(partial=True), parameters=[doc.QUESTION_ID],
             invalid=[doc.TEXT_INVALID, doc.CATEGORY_INVALID], errors={404: doc.QUESTION_NOT_FOUND},
             examples=[sent("File under a category", {"category_id": 2}), doc.QUESTION_ANSWER])
    def patch(self, request, question_id: int):
        body = self.InputSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.question_update(question_id=question_id, moderator=request.user, text=data.get("text"),
                                 category_id=data["category_id"] if "category_id" in data else ...)
        return Response(_question(question_id, request.user))


class AnswerCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="AnswerCreateInput")
    class InputSerializer(StrictInputSerializer):
        text = serializers.CharField(max_length=ANSWER_MAX_LENGTH, help_text="Plain text, up to 4000 characters; no HTML.")

    @_schema(
        "questions_answers_create", "Answer a question",
        description="For the shop's staff, the manufacturer's representatives and customers who received the product. "
                    "The shop's and the manufacturer's answers are published at once; a buyer's waits for a moderator.",
        ok=AnswerOutputSerializer, status=201, request=InputSerializer, parameters=[doc.QUESTION_ID], invalid=[doc.TEXT_INVALID],
        errors={403: error_response("Not someone who may answer this product's questions.", error_example(
                    "answer_not_allowed", "Only the shop, the manufacturer and customers who received this product answer its questions.")),
                404: doc.QUESTION_NOT_FOUND,
                409: error_response("Not published yet, or answered so already.",
                                        error_example("question_not_open", "The question is not published: it takes no answers yet."),
                                        error_example("question_duplicate", "You gave this answer already."))},
        examples=[sent("An answer", {"text": "Yes, on the top rack."}), doc.ANSWER_ANSWER],
    )
    def post(self, request, question_id: int):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answer = services.answer_create(question_id=question_id, author=request.user, text=body.validated_data["text"])
        return Response(_answer(answer.pk, request.user), status=status.HTTP_201_CREATED)


class AnswerVoteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="AnswerVoteInput")
    class InputSerializer(StrictInputSerializer):
        value = serializers.ChoiceField(choices=list(services.VOTE_VALUES), help_text="up, down, or none to take the vote back.")

    @_schema(
        "answers_vote", "Vote on an answer",
        description="One vote per customer and answer: voting again changes it; `none` takes it back. Never on one's own answer.",
        ok=AnswerOutputSerializer, request=InputSerializer, parameters=[doc.ANSWER_ID],
        errors={403: error_response("Your own answer.", error_example("vote_not_allowed", "You cannot vote on your own answer.")),
                404: doc.ANSWER_NOT_FOUND},
        examples=[sent("Helpful", {"value": "up"}), doc.ANSWER_ANSWER],
    )
    def post(self, request, answer_id: int):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.answer_vote(answer_id=answer_id, customer=request.user, value=body.validated_data["value"])
        return Response(_answer(answer_id, request.user))


class MyQuestionListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    @_schema("me_questions", "My questions", description="Every question I asked, newest first, in any status, with its "
             "published answers and, when refused, the reason.", ok=QuestionOutputSerializer(many=True),
             errors={404: PAGE_NOT_FOUND}, examples=[doc.QUESTION_LIST_ANSWER])
    def get(self, request):
        return paginated_response(queryset=selectors.customer_questions(customer=request.user),
                                  serializer_class=QuestionOutputSerializer, request=request, view=self)


# --- moderation -------------------------------------------------------------------------------------
class QueueQuery(QueryParamsSerializer):
    status = serializers.ChoiceField(choices=[*ModerationStatus.values, "all"], required=False, default="pending")
    flagged = serializers.BooleanField(required=False, allow_null=True, default=None,
                                       help_text="true: only what the spam screen noticed; false: only the clean.")


QUEUE_FILTERS = [
    OpenApiParameter("status", str, enum=[*ModerationStatus.values, "all"], description="Default pending."),
]
QUEUE_INVALID = invalid_filter("A filter is not valid.", error_example("invalid", "Invalid input.", {"status": ['"x" is not a valid choice.']}))


class QuestionQueueApi(APIView):
    permission_classes = MODERATORS
    pagination_class = PageNumberPagination

    @_schema("questions_moderation", "Questions to moderate", description="Oldest first.",
             ok=ModerationQuestionOutputSerializer(many=True), access=STAFF,
             parameters=[*QUEUE_FILTERS, OpenApiParameter("flagged", bool, description="Only flagged (true) or clean (false).")],
             errors={**QUEUE_INVALID, 404: PAGE_NOT_FOUND}, examples=[doc.MODERATION_QUESTION_ANSWER])
    def get(self, request):
        query = QueueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data["status"]
        questions = selectors.moderation_questions(status=None if wanted == "all" else wanted,
                                                   flagged=query.validated_data["flagged"])
        return paginated_response(queryset=questions, serializer_class=ModerationQuestionOutputSerializer,
                                  request=request, view=self)


class AnswerQueueApi(APIView):
    permission_classes = MODERATORS
    pagination_class = PageNumberPagination

    @_schema("answers_moderation", "Answers to moderate", description="Oldest first.",
             ok=ModerationAnswerOutputSerializer(many=True), access=STAFF, parameters=QUEUE_FILTERS,
             errors={**QUEUE_INVALID, 404: PAGE_NOT_FOUND}, examples=[doc.MODERATION_ANSWER_ANSWER])
    def get(self, request):
        query = QueueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data["status"]
        return paginated_response(queryset=selectors.moderation_answers(status=None if wanted == "all" else wanted),
                                  serializer_class=ModerationAnswerOutputSerializer, request=request, view=self)


@extend_schema_serializer(component_name="RejectInput")
class RejectInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Shown to the author; 3 to 300 characters.")


class QuestionApproveApi(APIView):
    permission_classes = MODERATORS

    @_schema("questions_approve", "Publish a question", ok=ModerationQuestionOutputSerializer, access=STAFF, request=None,
             parameters=[doc.QUESTION_ID], errors={404: doc.QUESTION_NOT_FOUND, 409: doc.MODERATION_INVALID},
             examples=[doc.QUESTION_ANSWER])
    def post(self, request, question_id: int):
        services.question_approve(question_id=question_id, moderator=request.user)
        return Response(ModerationQuestionOutputSerializer(selectors.question_get(question_id=question_id, requester=request.user)).data)


class QuestionRejectApi(APIView):
    permission_classes = MODERATORS

    @_schema("questions_reject", "Refuse a question", description="Or take a published one down; the author sees the reason.",
             ok=ModerationQuestionOutputSerializer, access=STAFF, request=RejectInputSerializer, parameters=[doc.QUESTION_ID],
             invalid=[doc.REASON_INVALID], errors={404: doc.QUESTION_NOT_FOUND, 409: doc.MODERATION_INVALID},
             examples=[sent("Off topic", {"reason": "Not about this product."}), doc.QUESTION_ANSWER])
    def post(self, request, question_id: int):
        body = RejectInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.question_reject(question_id=question_id, moderator=request.user, reason=body.validated_data["reason"])
        return Response(ModerationQuestionOutputSerializer(selectors.question_get(question_id=question_id, requester=request.user)).data)


def _moderation_answer(answer_id: int, requester) -> dict:
    return ModerationAnswerOutputSerializer(selectors.answer_get(answer_id=answer_id, requester=requester)).data


class AnswerApproveApi(APIView):
    permission_classes = MODERATORS

    @_schema("answers_approve", "Publish an answer", ok=ModerationAnswerOutputSerializer, access=STAFF, request=None,
             parameters=[doc.ANSWER_ID],
             errors={404: doc.ANSWER_NOT_FOUND, 409: doc.MODERATION_INVALID}, examples=[doc.ANSWER_ANSWER])
    def post(self, request, answer_id: int):
        services.answer_approve(answer_id=answer_id, moderator=request.user)
        return Response(_moderation_answer(answer_id, request.user))


class AnswerRejectApi(APIView):
    permission_classes = MODERATORS

    @_schema("answers_reject", "Refuse an answer", description="Or take a published one down (it loses a verified mark).",
             ok=ModerationAnswerOutputSerializer, access=STAFF, request=RejectInputSerializer, parameters=[doc.ANSWER_ID],
             invalid=[doc.REASON_INVALID], errors={404: doc.ANSWER_NOT_FOUND, 409: doc.MODERATION_INVALID},
             examples=[sent("Wrong", {"reason": "The size given is wrong."}), doc.ANSWER_ANSWER])
    def post(self, request, answer_id: int):
        body = RejectInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.answer_reject(answer_id=answer_id, moderator=request.user, reason=body.validated_data["reason"])
        return Response(_moderation_answer(answer_id, request.user))


class AnswerVerifyApi(APIView):
    permission_classes = MODERATORS

    @extend_schema_serializer(component_name="AnswerVerifyInput")
    class InputSerializer(StrictInputSerializer):
        verified = serializers.BooleanField(help_text="true: mark it verified and official; false: take the mark off.")

    @_schema("answers_verify", "Mark an answer verified", description="A verified answer is shown first, marked official.",
             ok=ModerationAnswerOutputSerializer, access=STAFF, request=InputSerializer, parameters=[doc.ANSWER_ID],
             errors={404: doc.ANSWER_NOT_FOUND, 409: doc.MODERATION_INVALID},
             examples=[sent("Verify", {"verified": True}), doc.ANSWER_ANSWER])
    def post(self, request, answer_id: int):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.answer_verify(answer_id=answer_id, moderator=request.user, verified=body.validated_data["verified"])
        return Response(_moderation_answer(answer_id, request.user))


# --- FAQ categories ---------------------------------------------------------------------------------
@extend_schema_serializer(component_name="FAQCategoryInput")
class CategoryInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=80)
    slug = serializers.SlugField(max_length=90, required=False, allow_blank=True, help_text="Default: from the name.")
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False, default=0)


CATEGORY_INVALID = error_example("faq_category_invalid", "The category is not valid: Already in use.", {"name": ["Already in use."]})


class FAQCategoryListApi(APIView):
    permission_classes = [AllowAny]  # reading; writing: moderators (get_permissions)

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated(), CanModerate()]

    @_schema("faq_categories_list", "FAQ categories", ok=CategoryOutputSerializer(many=True), access=PUBLIC,
             examples=[doc.CATEGORY_LIST_ANSWER])
    def get(self, request):
        return Response(CategoryOutputSerializer(selectors.faq_category_list(), many=True).data)

    @_schema("faq_categories_create", "Create an FAQ category (moderators)", ok=CategoryOutputSerializer, status=201,
             access=STAFF, request=CategoryInputSerializer, invalid=[CATEGORY_INVALID],
             examples=[sent("Care", {"name": "Care", "position": 1}), doc.CATEGORY_ANSWER])
    def post(self, request):
        body = CategoryInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        category = services.faq_category_save(moderator=request.user, **body.validated_data)
        return Response(CategoryOutputSerializer(category).data, status=status.HTTP_201_CREATED)


class FAQCategoryDetailApi(APIView):
    permission_classes = MODERATORS

    @_schema("faq_categories_update", "Change an FAQ category (moderators)", ok=CategoryOutputSerializer, access=STAFF,
             request=CategoryInputSerializer, parameters=[doc.CATEGORY_ID], invalid=[CATEGORY_INVALID],
             errors={404: doc.CATEGORY_NOT_FOUND}, examples=[sent("Rename", {"name": "Care and cleaning"}), doc.CATEGORY_ANSWER])
    def put(self, request, category_id: int):
        current = selectors.faq_category_get(category_id=category_id)
        body = CategoryInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        category = services.faq_category_save(moderator=request.user, category_id=current.pk, **body.validated_data)
        return Response(CategoryOutputSerializer(category).data)


