from django.urls import path

from recommendations import views

app_name = "recommendations"
urlpatterns = [
    path("products/<slug:slug>/questions/ask/", views.question_ask, name="question_ask"),
    path("questions/<int:question_id>/answer/", views.question_answer, name="question_answer"),
    path("answers/<int:answer_id>/vote/", views.answer_vote, name="answer_vote"),
    path("manufacturers/<slug:slug>/", views.manufacturer_detail, name="manufacturer"),
    path("accounts/questions/", views.my_questions, name="my_questions"),
]
