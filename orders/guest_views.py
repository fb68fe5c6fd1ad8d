"""The guest's pages: their order's signed page, the order look-up, and claiming orders after sign-up.

A guest has no log-in: what opens their order is a signed link (``orders.guests.order_link_token``)
in the order mails and on the confirmation, or the look-up form (order number and e-mail address),
which answers the same for an unknown number as for a wrong address and is throttled per client.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from commerce.errors import DomainError
from commerce.web import within_hourly_limit
from orders.forms import CancelOrderForm, GuestOrderLookupForm
from orders.guests import Guest, claim_read, order_link_read, order_link_token
from orders.models import Order
from orders.services.guests import guest_order_find, guest_orders_claim, guest_orders_unclaimed
from orders.services.lifecycle import order_cancel
from orders.views import can_cancel, order_page_context

NOT_FOUND = "We could not find an order with this number and e-mail address. Check both and try again."


def _guest_order_of(token: str) -> tuple[Order, Guest]:
    """The order a signed link opens and the guest it belongs to; a 404 for anything else."""
    found = order_link_read(token)
    order = guest_order_find(number=found[0], email=found[1]) if found else None
    if order is None:
        raise Http404("No such order.")
    order = (Order.objects.select_related("customer")
             .prefetch_related("lines__allocations", "lines__product", "payments", "refunds").get(pk=order.pk))
    return order, Guest(email=order.guest_email, token="")


def guest_order(request, token: str):
    """A guest's order, opened by its signed link (no log-in)."""
    order, _ = _guest_order_of(token)
    context = order_page_context(order, request=request, own=False, show_batches=False)
    context.update(guest_view=True, placed=request.GET.get("placed") == "1",
                   guest_can_cancel=order.is_guest and can_cancel(order),
                   guest_cancel_url=reverse("orders:guest_order_cancel", kwargs={"token": token}))
    return render(request, "orders/order_detail.html", context)


class GuestOrderCancelView(View):
    """A guest cancels their order, as a customer may: before it is being prepared."""

    template_name = "orders/order_cancel.html"

    def _page(self, request, order, token, form):
        return render(request, self.template_name, {
            "order": order, "form": form,
            "cancel_url": reverse("orders:guest_order_cancel", kwargs={"token": token}),
            "back_url": reverse("orders:guest_order", kwargs={"token": token}),
        })

    def get(self, request, token: str):
        order, _ = _guest_order_of(token)
        if not (order.is_guest and can_cancel(order)):
            messages.error(request, f"Order {order.number} can no longer be cancelled here; contact support.")
            return redirect("orders:guest_order", token=token)
        return self._page(request, order, token, CancelOrderForm())

    def post(self, request, token: str):
        order, guest = _guest_order_of(token)
        form = CancelOrderForm(request.POST)
        if not form.is_valid():
            return self._page(request, order, token, form)
        try:
            order_cancel(order=order, reason=form.cleaned_data["reason"] or "cancelled by the customer", by_guest=guest)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            refunded = " What you paid is being refunded to your card." if order.paid_amount else ""
            messages.success(request, f"Order {order.number} was cancelled.{refunded}")
        return redirect("orders:guest_order", token=token)


class GuestOrderLookupView(View):
    template_name = "orders/guest_lookup.html"

    def get(self, request):
        return render(request, self.template_name, {"form": GuestOrderLookupForm()})

    def post(self, request):
        form = GuestOrderLookupForm(request.POST)
        if not within_hourly_limit(request, "guest_lookup", settings.ORDERS_GUEST_LOOKUPS_PER_HOUR):
            form.is_valid()
            form.add_error(None, "Too many look-ups from your connection. Please try again in an hour.")
            return render(request, self.template_name, {"form": form}, status=429)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        order = guest_order_find(number=form.cleaned_data["number"], email=form.cleaned_data["email"])
        if order is None:
            form.add_error(None, NOT_FOUND)
            return render(request, self.template_name, {"form": form})
        return redirect(reverse("orders:guest_order", kwargs={"token": order_link_token(number=order.number, email=order.guest_email)}))


class GuestClaimView(View):
    """The link of the claim mail: logged in as the account it was sent for, add the guest orders."""

    template_name = "orders/guest_claim.html"

    def _read(self, request, token: str) -> str | None:
        found = claim_read(token)
        if found is None or found[0] != request.user.pk:
            return None
        return found[1]

    def get(self, request, token: str):
        email = self._read(request, token)
        if email is None:
            return render(request, self.template_name, {"invalid": True}, status=404)
        return render(request, self.template_name, {"email": email, "count": guest_orders_unclaimed(email=email)})

    def post(self, request, token: str):
        email = self._read(request, token)
        if email is None:
            return render(request, self.template_name, {"invalid": True}, status=404)
        try:
            numbers = guest_orders_claim(customer=request.user, email=email)
        except DomainError as error:
            return render(request, self.template_name, {"error": error.message, "email": email, "count": 0}, status=403)
        if numbers:
            messages.success(request, f"{len(numbers)} order{'s' if len(numbers) != 1 else ''} added to your account: {', '.join(numbers)}.")
        else:
            messages.info(request, "There were no more orders to add.")
        return redirect("orders:order_list")


guest_claim = login_required(GuestClaimView.as_view())
