from django.urls import path

from commerce.accounts.api import views

app_name = "accounts_api"
urlpatterns = [
    path("auth/token/", views.AuthTokenApi.as_view(), name="auth_token"),
    path("accounts/register/", views.CustomerRegisterApi.as_view(), name="register"),
    path("me/", views.ProfileApi.as_view(), name="me"),
    path("me/addresses/", views.AddressListApi.as_view(), name="address_list"),
    path("me/addresses/<id:address_id>/", views.AddressDetailApi.as_view(), name="address_detail"),
    path("accounts/users/<id:user_id>/anonymise/", views.UserAnonymiseApi.as_view(), name="user_anonymise"),
]
