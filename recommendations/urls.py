from django.urls import path

from recommendations.views import questions, review_requests, reviews, shelves

app_name = "recommendations"
urlpatterns = [
    path("products/<slug:slug>/questions/ask/", questions.question_ask, name="question_ask"),
    path("questions/<id:question_id>/answer/", questions.question_answer, name="question_answer"),
    path("answers/<id:answer_id>/vote/", questions.answer_vote, name="answer_vote"),
    path("manufacturers/<slug:slug>/", questions.manufacturer_detail, name="manufacturer"),
    path("accounts/questions/", questions.my_questions, name="my_questions"),
    path("products/<slug:slug>/review/", reviews.review_write, name="review_write"),
    path("reviews/<id:review_id>/vote/", reviews.review_vote, name="review_vote"),
    path("reviews/<id:review_id>/flag/", reviews.review_flag, name="review_flag"),
    path("reviews/<id:review_id>/delete/", reviews.review_delete, name="review_delete"),
    path("review-photos/<id:photo_id>/delete/", reviews.review_photo_delete, name="review_photo_delete"),
    path("reviews/request/<str:token>/", review_requests.review_request, name="review_request"),
    path("accounts/reviews/", reviews.my_reviews, name="my_reviews"),
    path("recommendations/r/<uuid:list_id>/<id:product_id>/", shelves.recommendation_click, name="recommendation_click"),
]
