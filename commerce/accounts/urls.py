from django.contrib.auth import views as auth_views
from django.urls import path

from commerce.accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.SignupView.as_view(), name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    # Django's LogoutView accepts POST only: a link or a prefetch can never sign a shopper out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("close/", views.AccountCloseView.as_view(), name="close"),
    path("addresses/", views.address_list, name="address_list"),
    path("addresses/add/", views.AddressCreateView.as_view(), name="address_add"),
    path("addresses/<id:pk>/edit/", views.AddressUpdateView.as_view(), name="address_edit"),
    path("addresses/<id:pk>/delete/", views.AddressDeleteView.as_view(), name="address_delete"),
    path("addresses/<id:pk>/default/", views.address_make_default, name="address_default"),
]
