from django.urls import path

from logistics import views

app_name = "logistics"
urlpatterns = [
    path("track/<str:token>/", views.tracking, name="tracking"),
    path("track/<str:token>/proof/<str:kind>/", views.tracking_proof, name="tracking_proof"),
    path("deliveries/stops/<id:stop_id>/proof/<str:kind>/", views.stop_proof, name="stop_proof"),
]
