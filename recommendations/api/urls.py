from django.urls import path

from recommendations.api import content, questions, reviews, serving

app_name = "recommendations_api"
urlpatterns = [
    # reviews: shoppers
    path("products/<id:product_id>/reviews/", reviews.ProductReviewListApi.as_view(), name="product_reviews"),
    path("products/<id:product_id>/reviews/mine/", reviews.MyProductReviewApi.as_view(), name="product_review_mine"),
    path("products/<id:product_id>/rating/", reviews.RatingStatisticsApi.as_view(), name="product_rating"),
    path("reviews/", reviews.ReviewSearchApi.as_view(), name="review_search"),
    path("reviews/moderation/", reviews.ModerationQueueApi.as_view(), name="review_moderation_queue"),
    path("reviews/moderation/figures/", reviews.ModerationFiguresApi.as_view(), name="review_moderation_figures"),
    path("reviews/<id:review_id>/", reviews.ReviewDetailApi.as_view(), name="review_detail"),
    path("reviews/<id:review_id>/photos/", reviews.ReviewPhotoAddApi.as_view(), name="review_photo_add"),
    path("reviews/<id:review_id>/photos/<id:photo_id>/", reviews.ReviewPhotoRemoveApi.as_view(), name="review_photo_remove"),
    path("reviews/<id:review_id>/vote/", reviews.ReviewVoteApi.as_view(), name="review_vote"),
    path("reviews/<id:review_id>/flag/", reviews.ReviewFlagApi.as_view(), name="review_flag"),
    # reviews: moderators
    path("reviews/<id:review_id>/approve/", reviews.ReviewApproveApi.as_view(), name="review_approve"),
    path("reviews/<id:review_id>/reject/", reviews.ReviewRejectApi.as_view(), name="review_reject"),
    path("reviews/<id:review_id>/reply/", reviews.ReviewReplyApi.as_view(), name="review_reply"),
    path("review-banned-words/", reviews.BannedWordListApi.as_view(), name="review_banned_words"),
    path("review-banned-words/<id:banned_word_id>/", reviews.BannedWordDetailApi.as_view(), name="review_banned_word"),
    path("me/reviews/", reviews.MyReviewListApi.as_view(), name="my_reviews"),
    # product questions and answers
    path("products/<id:product_id>/questions/", questions.ProductQuestionListApi.as_view(), name="product_questions"),
    path("products/<id:product_id>/questions/popular/", questions.ProductPopularQuestionsApi.as_view(),
         name="product_questions_popular"),
    path("questions/moderation/", questions.QuestionQueueApi.as_view(), name="question_queue"),
    path("questions/<id:question_id>/", questions.QuestionDetailApi.as_view(), name="question_detail"),
    path("questions/<id:question_id>/answers/", questions.AnswerCreateApi.as_view(), name="question_answer"),
    path("questions/<id:question_id>/approve/", questions.QuestionApproveApi.as_view(), name="question_approve"),
    path("questions/<id:question_id>/reject/", questions.QuestionRejectApi.as_view(), name="question_reject"),
    path("answers/moderation/", questions.AnswerQueueApi.as_view(), name="answer_queue"),
    path("answers/<id:answer_id>/vote/", questions.AnswerVoteApi.as_view(), name="answer_vote"),
    path("answers/<id:answer_id>/approve/", questions.AnswerApproveApi.as_view(), name="answer_approve"),
    path("answers/<id:answer_id>/reject/", questions.AnswerRejectApi.as_view(), name="answer_reject"),
    path("answers/<id:answer_id>/verify/", questions.AnswerVerifyApi.as_view(), name="answer_verify"),
    path("me/questions/", questions.MyQuestionListApi.as_view(), name="my_questions"),
    path("faq-categories/", questions.FAQCategoryListApi.as_view(), name="faq_categories"),
    path("faq-categories/<id:category_id>/", questions.FAQCategoryDetailApi.as_view(), name="faq_category"),
    # recommendations: the queries and the tracking commands
    path("recommendations/for-you/", serving.ForYouApi.as_view(), name="recommendations_for_you"),
    path("recommendations/trending/", serving.TrendingApi.as_view(), name="recommendations_trending"),
    path("recommendations/recently-viewed/", serving.RecentlyViewedApi.as_view(), name="recommendations_recently_viewed"),
    path("recommendations/popular/", serving.PopularApi.as_view(), name="recommendations_popular"),
    path("recommendations/cart/", serving.CartBoughtTogetherApi.as_view(), name="recommendations_cart"),
    path("products/<id:product_id>/similar/", serving.SimilarProductsApi.as_view(), name="recommendations_similar"),
    path("products/<id:product_id>/bought-together/", serving.BoughtTogetherApi.as_view(),
         name="recommendations_bought_together"),
    path("recommendations/impressions/", serving.ImpressionsApi.as_view(), name="recommendations_impressions"),
    path("recommendations/clicks/", serving.ClicksApi.as_view(), name="recommendations_clicks"),
    path("recommendations/performance/", serving.PerformanceApi.as_view(), name="recommendations_performance"),
    # manufacturer content
    path("manufacturers/<id:manufacturer_id>/info/", content.ManufacturerInfoApi.as_view(), name="manufacturer_info"),
    path("manufacturers/<id:manufacturer_id>/representatives/", content.RepresentativeListApi.as_view(),
         name="manufacturer_representatives"),
    path("manufacturers/<id:manufacturer_id>/representatives/<id:user_id>/", content.RepresentativeDetailApi.as_view(),
         name="manufacturer_representative"),
    path("products/<id:product_id>/official-content/", content.ProductContentApi.as_view(), name="product_content"),
    path("official-content/", content.ContentListApi.as_view(), name="content_list"),
    path("official-content/<id:content_id>/", content.ContentDetailApi.as_view(), name="content_detail"),
]
