from django.urls import path

from recommendations.api import reviews

app_name = "recommendations_api"
urlpatterns = [
    # reviews: shoppers
    path("products/<int:product_id>/reviews/", reviews.ProductReviewListApi.as_view(), name="product_reviews"),
    path("products/<int:product_id>/reviews/mine/", reviews.MyProductReviewApi.as_view(), name="product_review_mine"),
    path("products/<int:product_id>/rating/", reviews.RatingStatisticsApi.as_view(), name="product_rating"),
    path("reviews/", reviews.ReviewSearchApi.as_view(), name="review_search"),
    path("reviews/moderation/", reviews.ModerationQueueApi.as_view(), name="review_moderation_queue"),
    path("reviews/moderation/figures/", reviews.ModerationFiguresApi.as_view(), name="review_moderation_figures"),
    path("reviews/<int:review_id>/", reviews.ReviewDetailApi.as_view(), name="review_detail"),
    path("reviews/<int:review_id>/photos/", reviews.ReviewPhotoAddApi.as_view(), name="review_photo_add"),
    path("reviews/<int:review_id>/photos/<int:photo_id>/", reviews.ReviewPhotoRemoveApi.as_view(), name="review_photo_remove"),
    path("reviews/<int:review_id>/vote/", reviews.ReviewVoteApi.as_view(), name="review_vote"),
    path("reviews/<int:review_id>/flag/", reviews.ReviewFlagApi.as_view(), name="review_flag"),
    # reviews: moderators
    path("reviews/<int:review_id>/approve/", reviews.ReviewApproveApi.as_view(), name="review_approve"),
    path("reviews/<int:review_id>/reject/", reviews.ReviewRejectApi.as_view(), name="review_reject"),
    path("reviews/<int:review_id>/reply/", reviews.ReviewReplyApi.as_view(), name="review_reply"),
    path("review-banned-words/", reviews.BannedWordListApi.as_view(), name="review_banned_words"),
    path("review-banned-words/<int:banned_word_id>/", reviews.BannedWordDetailApi.as_view(), name="review_banned_word"),
    path("me/reviews/", reviews.MyReviewListApi.as_view(), name="my_reviews"),
]
