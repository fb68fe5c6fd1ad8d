from django.urls import path

from promotions import views

app_name = "promotions"
urlpatterns = [
    path("accounts/coupons/", views.my_coupons, name="my_coupons"),
]
