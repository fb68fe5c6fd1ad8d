from django.urls import path

from recommendations.views import reviews

app_name = "recommendations"
urlpatterns = [
    path("products/<slug:slug>/review/", reviews.review_write, name="review_write"),
    path("reviews/<int:review_id>/vote/", reviews.review_vote, name="review_vote"),
    path("reviews/<int:review_id>/flag/", reviews.review_flag, name="review_flag"),
    path("reviews/<int:review_id>/delete/", reviews.review_delete, name="review_delete"),
    path("review-photos/<int:photo_id>/delete/", reviews.review_photo_delete, name="review_photo_delete"),
    path("accounts/reviews/", reviews.my_reviews, name="my_reviews"),
]
