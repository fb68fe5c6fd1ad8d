from django.urls import path

from logistics import views

app_name = "logistics"
urlpatterns = [
    path("track/<str:token>/", views.tracking, name="tracking"),
]
