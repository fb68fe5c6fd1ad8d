from django.urls import path

from recommendations.api import content, questions

app_name = "recommendations_api"
urlpatterns = [
    # product questions and answers
    path("products/<int:product_id>/questions/", questions.ProductQuestionListApi.as_view(), name="product_questions"),
    path("products/<int:product_id>/questions/popular/", questions.ProductPopularQuestionsApi.as_view(),
         name="product_questions_popular"),
    path("questions/moderation/", questions.QuestionQueueApi.as_view(), name="question_queue"),
    path("questions/<int:question_id>/", questions.QuestionDetailApi.as_view(), name="question_detail"),
    path("questions/<int:question_id>/answers/", questions.AnswerCreateApi.as_view(), name="question_answer"),
    path("questions/<int:question_id>/approve/", questions.QuestionApproveApi.as_view(), name="question_approve"),
    path("questions/<int:question_id>/reject/", questions.QuestionRejectApi.as_view(), name="question_reject"),
    path("answers/moderation/", questions.AnswerQueueApi.as_view(), name="answer_queue"),
    path("answers/<int:answer_id>/vote/", questions.AnswerVoteApi.as_view(), name="answer_vote"),
    path("answers/<int:answer_id>/approve/", questions.AnswerApproveApi.as_view(), name="answer_approve"),
    path("answers/<int:answer_id>/reject/", questions.AnswerRejectApi.as_view(), name="answer_reject"),
    path("answers/<int:answer_id>/verify/", questions.AnswerVerifyApi.as_view(), name="answer_verify"),
    path("me/questions/", questions.MyQuestionListApi.as_view(), name="my_questions"),
    path("faq-categories/", questions.FAQCategoryListApi.as_view(), name="faq_categories"),
    path("faq-categories/<int:category_id>/", questions.FAQCategoryDetailApi.as_view(), name="faq_category"),
    # manufacturer content
    path("manufacturers/<int:manufacturer_id>/info/", content.ManufacturerInfoApi.as_view(), name="manufacturer_info"),
    path("manufacturers/<int:manufacturer_id>/representatives/", content.RepresentativeListApi.as_view(),
         name="manufacturer_representatives"),
    path("manufacturers/<int:manufacturer_id>/representatives/<int:user_id>/", content.RepresentativeDetailApi.as_view(),
         name="manufacturer_representative"),
    path("products/<int:product_id>/official-content/", content.ProductContentApi.as_view(), name="product_content"),
    path("official-content/", content.ContentListApi.as_view(), name="content_list"),
    path("official-content/<int:content_id>/", content.ContentDetailApi.as_view(), name="content_detail"),
]
