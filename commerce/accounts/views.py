"""Shopper account pages: sign up, profile and address book.

Each POST validates a form, calls one service, and redirects on success (post/redirect/get);
a refused command puts the service's message on the form and changes nothing. Log in and log
out are Django's own views, wired in ``urls``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import require_POST

from commerce.accounts import selectors, services
from commerce.accounts.errors import AddressNotFound
from commerce.accounts.forms import AccountCloseForm, AddressForm, ProfileForm, SignupForm
from commerce.accounts.models import Address, CustomerProfile
from commerce.errors import DomainError
from commerce.web import safe_next_url


def _own_address(request, pk: int) -> Address:
    """The signed-in customer's address; anyone else's is a 404, as if it did not exist."""
    try:
        return selectors.address_get(customer=request.user, address_id=pk)
    except AddressNotFound:
        raise Http404("No such address.")


class SignupView(View):
    template_name = "accounts/signup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("accounts:profile")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": SignupForm(), "next": safe_next_url(request)})

    def post(self, request):
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.customer_register(
                    username=data["username"],
                    password=data["password1"],
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome, {user.get_short_name() or user.username}! Your account is ready.")
                return redirect(safe_next_url(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
        return render(request, self.template_name, {"form": form, "next": safe_next_url(request)})


@method_decorator(login_required, name="dispatch")
class ProfileView(View):
    template_name = "accounts/profile.html"

    def _render(self, request, form):
        profile = CustomerProfile.objects.select_related("sales_region").filter(user=request.user).first()
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "profile": profile,
                "default_address": selectors.default_address(customer=request.user),
            },
        )

    def get(self, request):
        user = request.user
        profile = CustomerProfile.objects.filter(user=user).first()
        initial = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "phone": profile.phone if profile else "",
        }
        return self._render(request, ProfileForm(initial=initial))

    def post(self, request):
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.profile_update(user=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(request, "Your profile was saved.")
                return redirect("accounts:profile")
        return self._render(request, form)


@method_decorator(login_required, name="dispatch")
class AccountCloseView(View):
    """A customer closes their own account: their personal data is scrubbed (``user_anonymise``), their
    orders stay with the shop, and they are signed out. Staff accounts are closed by an administrator."""

    template_name = "accounts/close.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_staff:
            messages.error(request, "A staff account is closed by an administrator.")
            return redirect("accounts:profile")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": AccountCloseForm(user=request.user)})

    def post(self, request):
        form = AccountCloseForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.user_anonymise(user=request.user)
            except DomainError as error:
                form.add_service_error(error)
            else:
                logout(request)
                messages.success(request, "Your account is closed and your personal data removed. Thank you for shopping with us.")
                return redirect("/")
        return render(request, self.template_name, {"form": form})


@login_required
def address_list(request):
    return render(request, "accounts/address_list.html", {"addresses": selectors.address_list(customer=request.user)})


@method_decorator(login_required, name="dispatch")
class AddressCreateView(View):
    template_name = "accounts/address_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": AddressForm(), "address": None, "next": safe_next_url(request)})

    def post(self, request):
        form = AddressForm(request.POST)
        if form.is_valid():
            try:
                services.address_create(
                    customer=request.user, is_default=form.cleaned_data["is_default"], **form.address_fields()
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(request, "The address was added.")
                # From checkout, the shopper goes back to checkout with the new address.
                return redirect(safe_next_url(request) or "accounts:address_list")
        return render(request, self.template_name, {"form": form, "address": None, "next": safe_next_url(request)})


@method_decorator(login_required, name="dispatch")
class AddressUpdateView(View):
    template_name = "accounts/address_form.html"

    @staticmethod
    def _form(address: Address, *args, **kwargs) -> AddressForm:
        form = AddressForm(*args, **kwargs)
        if address.is_default:
            # The default can be moved to another address, not switched off.
            del form.fields["is_default"]
        return form

    def get(self, request, pk: int):
        address = _own_address(request, pk)
        initial = {name: getattr(address, name) for name in AddressForm.base_fields}
        return render(request, self.template_name, {"form": self._form(address, initial=initial), "address": address})

    def post(self, request, pk: int):
        address = _own_address(request, pk)
        form = self._form(address, request.POST)
        if form.is_valid():
            try:
                services.address_update(
                    customer=request.user,
                    address_id=address.pk,
                    is_default=form.cleaned_data.get("is_default", False),
                    **form.address_fields(),
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(request, "The address was saved.")
                return redirect("accounts:address_list")
        return render(request, self.template_name, {"form": form, "address": address})


@method_decorator(login_required, name="dispatch")
class AddressDeleteView(View):
    template_name = "accounts/address_confirm_delete.html"

    def get(self, request, pk: int):
        return render(request, self.template_name, {"address": _own_address(request, pk)})

    def post(self, request, pk: int):
        address = _own_address(request, pk)
        services.address_delete(customer=request.user, address_id=address.pk)
        messages.success(request, "The address was deleted.")
        return redirect("accounts:address_list")


@login_required
@require_POST
def address_make_default(request, pk: int):
    address = _own_address(request, pk)
    services.address_update(customer=request.user, address_id=address.pk, is_default=True)
    messages.success(request, "Your default address was changed.")
    return redirect("accounts:address_list")
