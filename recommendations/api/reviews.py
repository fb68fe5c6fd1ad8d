"""The reviews API: a product's reviews and rating statistics, search, one review, my review of a
product (read, write or replace, delete), photos (multipart upload), helpful votes, reports, my
reviews; and for moderators (``accounts.moderate_reviews``) the moderation queue and figures,
approve, reject, reply, banned words.

Shoppers see approved reviews only; the author sees their own in any state. Bodies are strict
(400 ``unknown_field``); every refusal of a service keeps its code (``review_invalid``,
``review_own_vote``, ``image_invalid``, ...).
"""

from __future__ import annotations

import functools

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api import schema
from commerce.api.pagination import PageNumberPagination, paginated_response
from commerce.api.permissions import has_access
from commerce.api.schema import PAGE_NOT_FOUND, PUBLIC, documented, error_example, invalid_filter, sent
from commerce.api.serializers import QueryParamsSerializer, StrictInputSerializer
from commerce.audit.journey import JourneyAction, journey_record_for_api
from commerce.catalog.selectors import product_get
from recommendations.api.review_schema import (
    BANNED_WORD_ID,
    BANNED_WORD_NOT_FOUND,
    FILTER_INVALID,
    IMAGE_INVALID,
    MARKUP_REFUSED,
    MY_REVIEW_NOT_FOUND,
    NOT_ALLOWED,
    NOT_YOURS,
    OWN_OR_UNPUBLISHED,
    PHOTO_ID,
    PHOTO_LIMIT,
    PHOTO_NOT_FOUND,
    PRODUCT_ID,
    PRODUCT_NOT_FOUND,
    REVIEW_ANSWER,
    REVIEW_ID,
    REVIEW_INVALID,
    REVIEW_NOT_FOUND,
    STATISTICS_ANSWER,
)
from recommendations.errors import ReviewNotFound
from recommendations.models import BannedWord, Review, ReviewFlag
from recommendations.selectors import reviews as selectors
from recommendations.services import review_moderation as moderation
from recommendations.services import reviews as services

MAX_DB_INT = 2**31 - 1
_schema = functools.partial(documented, tags=["reviews"])
_staff_schema = functools.partial(documented, tags=["review moderation"], access=schema.STAFF)
CanModerateReviews = has_access("accounts.moderate_reviews", "You need the moderate reviews permission.")
STAFF = [IsAuthenticated, CanModerateReviews]


def _status_field(**kwargs) -> serializers.ChoiceField:
    """A review's status, its values listed in place (``status`` means other choices elsewhere in the API)."""
    field_class = extend_schema_field({"type": "string", "enum": Review.Status.values})(
        type("ReviewStatusField", (serializers.ChoiceField,), {}))
    return field_class(choices=Review.Status.choices, **kwargs)


# --- output ----------------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="ReviewRatings")
class RatingsSerializer(StrictInputSerializer):
    """Stars per axis, 1 to 5 each (all five are required)."""

    overall = serializers.IntegerField(min_value=1, max_value=5)
    quality = serializers.IntegerField(min_value=1, max_value=5)
    price = serializers.IntegerField(min_value=1, max_value=5, help_text="Value for money.")
    utility = serializers.IntegerField(min_value=1, max_value=5)
    delivery = serializers.IntegerField(min_value=1, max_value=5)


class ReviewPhotoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    def get_url(self, photo) -> str:
        return photo.image.url

    def get_thumbnail_url(self, photo) -> str:
        return photo.thumbnail.url


class ReplyOutputSerializer(serializers.Serializer):
    text = serializers.CharField(source="reply_text")
    replied_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="Review")
class ReviewOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    author = serializers.CharField(source="author_name", help_text="First name and initial, or the user name.")
    title = serializers.CharField()
    text = serializers.CharField(help_text="Plain text: escape it where it is shown.")
    ratings = serializers.SerializerMethodField()
    score = serializers.DecimalField(max_digits=3, decimal_places=2, help_text="Weighted score of the five axes.")
    status = serializers.CharField(help_text="pending, approved or rejected (others see approved reviews only).")
    rejection_reason = serializers.CharField()
    verified_purchase = serializers.BooleanField()
    helpful_count = serializers.IntegerField()
    not_helpful_count = serializers.IntegerField()
    photos = ReviewPhotoOutputSerializer(many=True, source="photos.all")
    reply = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(RatingsSerializer)
    def get_ratings(self, review) -> dict:
        return review.ratings

    @extend_schema_field(ReplyOutputSerializer(allow_null=True))
    def get_reply(self, review):
        return ReplyOutputSerializer(review).data if review.reply_text else None


@extend_schema_serializer(component_name="ModeratedReview")
class StaffReviewOutputSerializer(ReviewOutputSerializer):
    customer_id = serializers.IntegerField()
    flag_count = serializers.IntegerField()
    held_reasons = serializers.ListField(child=serializers.CharField(), help_text="Why the abuse screen held it.")
    submitted_at = serializers.DateTimeField()
    moderated_at = serializers.DateTimeField(allow_null=True)


class RatingStatisticsOutputSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    review_count = serializers.IntegerField(help_text="Approved reviews.")
    verified_count = serializers.IntegerField()
    verified_share = serializers.FloatField(allow_null=True, help_text="verified_count / review_count; null without reviews.")
    averages = serializers.DictField(child=serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True),
                                     help_text="Average stars per axis (decimal strings; null without reviews).")
    average_score = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    distribution = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()),
                                         help_text="Per axis, the number of reviews with 1, 2, 3, 4 and 5 stars.")


# --- shoppers: reading ------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="ReviewFilter")
class ReviewFilterSerializer(QueryParamsSerializer):
    sort = serializers.ChoiceField(choices=list(selectors.SORTS), required=False, help_text="newest (default), helpful, highest, lowest.")
    verified = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="Only verified purchases (true) or others.")
    stars = serializers.IntegerField(min_value=1, max_value=5, required=False, help_text="Overall stars.")
    with_photos = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(max_length=selectors.SEARCH_MAX, required=False, allow_blank=True,
                              help_text="Words: a review matches when each begins a word of its title or text (any case); "
                                        "other characters are ignored.")


@extend_schema_serializer(component_name="ReviewSearchFilter")
class SearchFilterSerializer(ReviewFilterSerializer):
    product_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


def _list_filters(request, serializer_class) -> dict:
    filters = serializer_class(data=request.query_params)
    filters.is_valid(raise_exception=True)
    data = dict(filters.validated_data)
    return {"sort": data.get("sort") or "newest", "verified": data.get("verified"), "stars": data.get("stars"),
            "with_photos": data.get("with_photos"), "query": data.get("q") or "",
            **({"product_id": data["product_id"]} if "product_id" in data else {})}


_FILTER_400 = invalid_filter("A filter value is not valid; `fields` names it.", FILTER_INVALID)


class ProductReviewListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = PageNumberPagination

    @_schema("reviews_product_list", "Reviews of a product", access=PUBLIC, ok=ReviewOutputSerializer(many=True),
             description="Approved reviews, newest first unless `sort` says otherwise; filtered by verified purchase, "
                         "overall stars, photos and words in the text.",
             parameters=[PRODUCT_ID, ReviewFilterSerializer], errors={**_FILTER_400, 404: PRODUCT_NOT_FOUND},
             examples=[REVIEW_ANSWER])
    def get(self, request, product_id: int):
        product = product_get(pk=product_id)
        reviews = selectors.review_list(product_id=product.pk, **_list_filters(request, ReviewFilterSerializer))
        return paginated_response(queryset=reviews, serializer_class=ReviewOutputSerializer, request=request, view=self)


class ReviewSearchApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = PageNumberPagination

    @_schema("reviews_search", "Search reviews", access=PUBLIC, ok=ReviewOutputSerializer(many=True),
             description="Approved reviews of every product (or one, `product_id`): `q` searches title and text; "
                         "`verified=true` gives the verified reviews.",
             parameters=[SearchFilterSerializer], errors={**_FILTER_400, 404: PAGE_NOT_FOUND}, examples=[REVIEW_ANSWER])
    def get(self, request):
        reviews = selectors.review_list(**_list_filters(request, SearchFilterSerializer))
        return paginated_response(queryset=reviews, serializer_class=ReviewOutputSerializer, request=request, view=self)


class RatingStatisticsApi(APIView):
    permission_classes = [AllowAny]

    @_schema("reviews_product_rating", "Rating statistics and distribution of a product", access=PUBLIC,
             ok=RatingStatisticsOutputSerializer, parameters=[PRODUCT_ID], errors={404: PRODUCT_NOT_FOUND},
             examples=[STATISTICS_ANSWER])
    def get(self, request, product_id: int):
        product = product_get(pk=product_id)
        return Response(RatingStatisticsOutputSerializer(selectors.rating_statistics(product_id=product.pk)).data)


class ReviewDetailApi(APIView):
    permission_classes = [AllowAny]

    @_schema("reviews_retrieve", "One review", access=PUBLIC, ok=ReviewOutputSerializer, parameters=[REVIEW_ID],
             errors={404: REVIEW_NOT_FOUND}, examples=[REVIEW_ANSWER])
    def get(self, request, review_id: int):
        return Response(ReviewOutputSerializer(selectors.review_get(review_id=review_id, requester=request.user)).data)


class MyReviewListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    @_schema("me_reviews", "My reviews", ok=ReviewOutputSerializer(many=True), errors={404: PAGE_NOT_FOUND},
             description="My reviews in every state (pending, approved, rejected with its reason), newest first.",
             examples=[REVIEW_ANSWER])
    def get(self, request):
        return paginated_response(queryset=selectors.customer_reviews(customer_id=request.user.pk),
                                  serializer_class=ReviewOutputSerializer, request=request, view=self)


# --- shoppers: writing ------------------------------------------------------------------------------------
class MyProductReviewApi(APIView):
    """My review of a product: read it, write or replace it (PUT), delete it."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="ReviewInput")
    class InputSerializer(StrictInputSerializer):
        title = serializers.CharField(max_length=services.TITLE_MAX, required=False, allow_blank=True)
        text = serializers.CharField(max_length=services.TEXT_MAX, required=False, allow_blank=True,
                                     help_text="Plain text (HTML is refused). Leave title and text out to give stars only.")
        ratings = RatingsSerializer()

    def _mine(self, request, product_id: int) -> Review:
        product = product_get(pk=product_id)
        review = selectors.customer_review_of(customer=request.user, product_id=product.pk)
        if review is None:
            raise ReviewNotFound("No such review.")
        return review

    @_schema("reviews_mine_retrieve", "My review of a product", ok=ReviewOutputSerializer, parameters=[PRODUCT_ID],
             errors={404: MY_REVIEW_NOT_FOUND}, examples=[REVIEW_ANSWER])
    def get(self, request, product_id: int):
        return Response(ReviewOutputSerializer(self._mine(request, product_id)).data)

    @_schema("reviews_mine_put", "Write or replace my review of a product", ok=ReviewOutputSerializer, request=InputSerializer,
             description="One review per customer and product: the first PUT writes it, later ones replace it (the "
                         "earlier version stays in the audit trail). Verified purchase is decided by the shop from "
                         "delivered orders. Star-only reviews of verified buyers are published at once; others wait "
                         "for a moderator (`status: pending`).",
             parameters=[PRODUCT_ID], invalid=[REVIEW_INVALID, MARKUP_REFUSED],
             errors={403: NOT_ALLOWED, 404: PRODUCT_NOT_FOUND},
             examples=[sent("Stars and text", {"title": "Rich and smooth", "text": "Arrived quickly.",
                                               "ratings": {"overall": 5, "quality": 5, "price": 4, "utility": 5, "delivery": 4}}),
                       REVIEW_ANSWER])
    def put(self, request, product_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_submit(customer=request.user, product_id=product_id, title=data.validated_data.get("title", ""),
                                        text=data.validated_data.get("text", ""), ratings=dict(data.validated_data["ratings"]))
        action = JourneyAction.RATE_PRODUCT if review.is_star_only else JourneyAction.REVIEW_PRODUCT
        journey_record_for_api(request, action, product_id=review.product_id, details={"review_id": review.pk})
        return Response(ReviewOutputSerializer(selectors.review_get(review_id=review.pk, requester=request.user)).data)

    @_schema("reviews_mine_delete", "Delete my review of a product", status=204, parameters=[PRODUCT_ID],
             errors={404: MY_REVIEW_NOT_FOUND})
    def delete(self, request, product_id: int):
        services.review_delete(review_id=self._mine(request, product_id).pk, customer=request.user)
        return Response(status=204)


class ReviewPhotoAddApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema_serializer(component_name="ReviewPhotoInput")
    class InputSerializer(StrictInputSerializer):
        photo = serializers.FileField(help_text="A JPEG, PNG or WebP picture (multipart/form-data).")

    @_schema("reviews_photos_create", "Add a photo to my review", status=201, ok=ReviewPhotoOutputSerializer,
             request={"multipart/form-data": InputSerializer}, parameters=[REVIEW_ID],
             description="The picture is checked (type from its bytes, size, pixel count), cleaned of metadata and "
                         "thumbnailed. A published review is read by a moderator again.",
             invalid=[IMAGE_INVALID], errors={403: NOT_YOURS, 404: REVIEW_NOT_FOUND, 409: PHOTO_LIMIT})
    def post(self, request, review_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = services.review_photo_add(review_id=review_id, customer=request.user, upload=data.validated_data["photo"])
        return Response(ReviewPhotoOutputSerializer(photo).data, status=201)


class ReviewPhotoRemoveApi(APIView):
    permission_classes = [IsAuthenticated]

    @_schema("reviews_photos_delete", "Remove a photo from my review", status=204, parameters=[REVIEW_ID, PHOTO_ID],
             errors={403: NOT_YOURS, 404: PHOTO_NOT_FOUND})
    def delete(self, request, review_id: int, photo_id: int):
        services.review_photo_remove(photo_id=photo_id, customer=request.user, review_id=review_id)
        return Response(status=204)


class ReviewVoteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="ReviewVoteInput")
    class InputSerializer(StrictInputSerializer):
        helpful = serializers.BooleanField(help_text="true: helpful; false: not helpful. A later vote replaces mine.")

    @_schema("reviews_vote", "Vote on a review", ok=ReviewOutputSerializer, request=InputSerializer, parameters=[REVIEW_ID],
             errors={404: REVIEW_NOT_FOUND, 409: OWN_OR_UNPUBLISHED}, examples=[sent("Helpful", {"helpful": True})])
    def put(self, request, review_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_vote(review_id=review_id, customer=request.user, helpful=data.validated_data["helpful"])
        return Response(ReviewOutputSerializer(selectors.review_get(review_id=review.pk, requester=request.user)).data)


class ReviewFlagApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="ReviewFlagInput")
    class InputSerializer(StrictInputSerializer):
        reason = serializers.ChoiceField(choices=ReviewFlag.Reason.choices)
        note = serializers.CharField(max_length=services.NOTE_MAX, required=False, allow_blank=True)

    @_schema("reviews_flag", "Report a review as inappropriate", status=204, request=InputSerializer, parameters=[REVIEW_ID],
             description="Once per review. Past the shop's threshold of reports the review is hidden until a moderator "
                         "has looked at it.",
             errors={404: REVIEW_NOT_FOUND, 409: OWN_OR_UNPUBLISHED}, examples=[sent("Spam", {"reason": "spam"})])
    def post(self, request, review_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_flag(review_id=review_id, customer=request.user, **data.validated_data)
        return Response(status=204)


# --- moderators ----------------------------------------------------------------------------------------------
class ModerationQueueApi(APIView):
    permission_classes = STAFF
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="ReviewModerationFilter")
    class FilterSerializer(QueryParamsSerializer):
        status = _status_field(required=False, help_text="pending (default).")
        min_flags = serializers.IntegerField(min_value=0, max_value=MAX_DB_INT, required=False)
        older_than_days = serializers.IntegerField(min_value=0, max_value=3650, required=False)

    @_staff_schema("reviews_moderation_queue", "The moderation queue", ok=StaffReviewOutputSerializer(many=True),
                   description="Reviews waiting for a decision, most reported first, then oldest first.",
                   parameters=[FilterSerializer], errors={**_FILTER_400, 404: PAGE_NOT_FOUND})
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reviews = selectors.moderation_queue(**{"status": Review.Status.PENDING, **filters.validated_data})
        return paginated_response(queryset=reviews, serializer_class=StaffReviewOutputSerializer, request=request, view=self)


class ModerationFiguresOutputSerializer(serializers.Serializer):
    delivered_orders = serializers.IntegerField()
    delivered_orders_reviewed = serializers.IntegerField()
    reviewed_share = serializers.FloatField(allow_null=True)
    products_with_approved_review = serializers.IntegerField()
    pending = serializers.IntegerField()
    flagged = serializers.IntegerField()
    median_hours_to_moderate = serializers.FloatField(allow_null=True, help_text="Over the last 90 days.")


class ModerationFiguresApi(APIView):
    permission_classes = STAFF

    @_staff_schema("reviews_moderation_figures", "Review figures", ok=ModerationFiguresOutputSerializer,
                   description="Share of delivered orders with a review of one of their products, products with an "
                               "approved review, the queue, the median time to moderate.")
    def get(self, request):
        return Response(ModerationFiguresOutputSerializer(selectors.moderation_figures()).data)


class ReviewApproveApi(APIView):
    permission_classes = STAFF

    @_staff_schema("reviews_approve", "Approve a review", ok=StaffReviewOutputSerializer, parameters=[REVIEW_ID], request=None,
                   errors={404: REVIEW_NOT_FOUND})
    def post(self, request, review_id: int):
        review = moderation.review_approve(review_id=review_id, moderator=request.user)
        return Response(StaffReviewOutputSerializer(selectors.review_get(review_id=review.pk, requester=request.user)).data)


class ReviewRejectApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="ReviewRejectInput")
    class InputSerializer(StrictInputSerializer):
        reason = serializers.CharField(max_length=moderation.REASON_MAX, help_text="Shown to the author.")

    @_staff_schema("reviews_reject", "Reject a review", ok=StaffReviewOutputSerializer, request=InputSerializer,
                   parameters=[REVIEW_ID], errors={404: REVIEW_NOT_FOUND},
                   examples=[sent("Off topic", {"reason": "The review is about the delivery company, not the product."})])
    def post(self, request, review_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = moderation.review_reject(review_id=review_id, moderator=request.user, reason=data.validated_data["reason"])
        return Response(StaffReviewOutputSerializer(selectors.review_get(review_id=review.pk, requester=request.user)).data)


class ReviewReplyApi(APIView):
    permission_classes = STAFF

    @extend_schema_serializer(component_name="ReviewReplyInput")
    class InputSerializer(StrictInputSerializer):
        text = serializers.CharField(max_length=moderation.REPLY_MAX, allow_blank=True,
                                     help_text="The shop's public reply; empty takes it down.")

    @_staff_schema("reviews_reply", "Reply to a review in the shop's name", ok=StaffReviewOutputSerializer,
                   request=InputSerializer, parameters=[REVIEW_ID], errors={404: REVIEW_NOT_FOUND},
                   invalid=[error_example("moderation_invalid", "The reply is not valid: HTML is not allowed: write plain text.",
                                          {"text": ["HTML is not allowed: write plain text."]})],
                   examples=[sent("Thanks", {"text": "Thank you for your review!"})])
    def put(self, request, review_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = moderation.review_reply(review_id=review_id, staff=request.user, text=data.validated_data["text"])
        return Response(StaffReviewOutputSerializer(selectors.review_get(review_id=review.pk, requester=request.user)).data)


class BannedWordSerializer(serializers.ModelSerializer):
    class Meta:
        model = BannedWord
        fields = ("id", "word", "created_at")


class BannedWordListApi(APIView):
    permission_classes = STAFF
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="BannedWordInput")
    class InputSerializer(StrictInputSerializer):
        word = serializers.CharField(max_length=moderation.WORD_MAX, help_text="A word or phrase, matched whole, any case.")

    @_staff_schema("reviews_banned_words_list", "Banned words", ok=BannedWordSerializer(many=True), errors={404: PAGE_NOT_FOUND})
    def get(self, request):
        return paginated_response(queryset=BannedWord.objects.order_by("word"), serializer_class=BannedWordSerializer,
                                  request=request, view=self)

    @_staff_schema("reviews_banned_words_create", "Ban a word", status=201, ok=BannedWordSerializer, request=InputSerializer,
                   invalid=[error_example("banned_word_invalid", "“scam” is banned already.", {"word": ["Banned already."]})],
                   examples=[sent("A word", {"word": "scam"})])
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        word = moderation.banned_word_add(word=data.validated_data["word"], staff=request.user)
        return Response(BannedWordSerializer(word).data, status=201)


class BannedWordDetailApi(APIView):
    permission_classes = STAFF

    @_staff_schema("reviews_banned_words_delete", "Lift a ban", status=204, parameters=[BANNED_WORD_ID],
                   errors={404: BANNED_WORD_NOT_FOUND})
    def delete(self, request, banned_word_id: int):
        moderation.banned_word_remove(banned_word_id=banned_word_id, staff=request.user)
        return Response(status=204)


