"""Orders in the back office: read-only pages whose every change is an action calling the lifecycle and payment services."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse

from commerce.admin_services import ReadOnlyAdminMixin, RunEachMixin, SafeChangeListMixin, add_domain_error, status_column
from commerce.errors import DomainError
from commerce.money_format import money_text
from orders import selectors
from orders.admin.common import (
    MANAGE_ORDERS,
    ORDER_STATUS_TONES,
    PAYMENT_STATUS_TONES,
    REFUND_ORDERS,
    ReadOnlyInline,
    _ids_param,
    scope_orders,
)
from orders.admin.forms import CancelForm, OrderNoteForm, RefundForm, ShipForm
from orders.models import Order, OrderLine, Payment, Refund
from orders.services import lifecycle
from orders.services.notes import order_note_add
from orders.services.payments import order_refund
from orders.timeline import payload_summary, staff_sentence


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("product_code", "product_name", "quantity", "unit_price", "discount", "line_total", "refunded", "batches")
    readonly_fields = fields
    verbose_name_plural = "lines (with the batches their units came from)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order").prefetch_related("allocations")

    @admin.display(description="Unit price")
    def unit_price(self, obj):
        return money_text(obj.unit_price_amount, obj.order.currency)

    @admin.display(description="Discount")
    def discount(self, obj):
        return money_text(obj.discount_amount, obj.order.currency)

    @admin.display(description="Line total")
    def line_total(self, obj):
        return money_text(obj.line_total_amount, obj.order.currency)

    @admin.display(description="Refunded")
    def refunded(self, obj):
        if not obj.refunded_quantity and not obj.refunded_amount:
            return "-"
        return f"{obj.refunded_quantity} unit(s), {money_text(obj.refunded_amount, obj.order.currency)}"

    @admin.display(description="Batches")
    def batches(self, obj):
        parts = []
        for allocation in obj.allocations.all():
            text = f"{allocation.batch_number} x {allocation.quantity}"
            if allocation.expires_on:
                text += f" (expires {allocation.expires_on})"
            parts.append(text)
        return ", ".join(parts) or "not allocated yet"


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("created_at", "gateway", "amount_display", "status", "card_last4", "gateway_reference", "refunded", "error")
    readonly_fields = fields

    @admin.display(description="Amount")
    def amount_display(self, obj):
        return money_text(obj.amount, obj.currency)

    @admin.display(description="Refunded")
    def refunded(self, obj):
        return money_text(obj.refunded_amount, obj.currency) if obj.refunded_amount else "-"

    @admin.display(description="Error")
    def error(self, obj):
        return " ".join(x for x in (obj.error_code, obj.message) if x) or "-"


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("created_at", "amount_display", "status", "reason", "refunded_lines", "payment", "gateway_reference")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment")

    @admin.display(description="Amount")
    def amount_display(self, obj):
        return money_text(obj.amount, obj.currency)

    @admin.display(description="Units")
    def refunded_lines(self, obj):
        return ", ".join(f"{i.get('quantity')} x {i.get('product_code')}" for i in obj.lines) or "amount only"


# action -> (service, button label, what was done, for the message)
TRANSITIONS = {
    "confirm": (lifecycle.order_confirm, "Confirm", "Confirmed"),
    "allocate": (lifecycle.order_allocate, "Allocate stock", "Allocated (batches recorded on the lines)"),
    "mark_ready": (lifecycle.order_mark_ready, "Mark ready to ship", "Marked ready to ship"),
    "deliver": (lifecycle.order_deliver, "Mark delivered", "Marked delivered"),
    "complete": (lifecycle.order_complete, "Complete", "Completed"),
}


@admin.register(Order)
class OrderAdmin(SafeChangeListMixin, ReadOnlyAdminMixin, RunEachMixin, admin.ModelAdmin):
    # Orders are placed by customers and changed only through the actions below: never added,
    # edited as a form or deleted here, whoever is logged in (ReadOnlyAdminMixin).
    list_display = ("number", "customer", "status_label", "payment_label", "payment_method", "total", "placed_at", "region")
    list_select_related = ("customer", "region")
    status_label = status_column("status", ORDER_STATUS_TONES)
    payment_label = status_column("payment_status", PAYMENT_STATUS_TONES, description="Payment")
    list_filter = ("status", "payment_status", "payment_method", ("placed_at", admin.DateFieldListFilter), "region")
    search_fields = ("number", "customer__username", "customer__email", "guest_email", "lines__product_code", "=tracking_number")
    search_help_text = "Order number, customer user name or email, a guest's email, product code, or tracking number."
    date_hierarchy = "placed_at"
    ordering = ("-placed_at", "-id")
    list_per_page = 50
    actions = ("confirm", "allocate", "mark_ready", "ship", "deliver", "complete", "cancel", "refund")
    inlines = (OrderLineInline, PaymentInline, RefundInline)
    fieldsets = (
        (None, {"fields": ("number", "customer", "guest_email", "status", "payment_status", "payment_method", "placed_at", "updated_at",
                           "hold_until", "cancel_reason")}),
        ("Amounts", {"fields": ("subtotal", "discount", "shipping", "shipping_discount", "total", "paid", "refunded", "balance_due",
                                "applied_promotions", "coupon_codes")}),
        ("Shipping", {"fields": ("ship_to", "region", "shipping_method_name", "delivery_earliest", "delivery_latest", "carrier",
                                 "tracking_number")}),
    )
    readonly_fields = (
        "number", "customer", "guest_email", "status", "payment_status", "payment_method", "placed_at", "updated_at", "hold_until",
        "cancel_reason", "subtotal", "discount", "shipping", "shipping_discount", "total", "paid", "refunded", "balance_due",
        "applied_promotions", "coupon_codes", "ship_to", "region", "shipping_method_name", "delivery_earliest", "delivery_latest",
        "carrier", "tracking_number",
    )

    def has_manage_orders_permission(self, request):
        return request.user.has_perm(MANAGE_ORDERS)

    def has_refund_orders_permission(self, request):
        return request.user.has_perm(REFUND_ORDERS)

    def get_queryset(self, request):
        return scope_orders(request.user, super().get_queryset(request))

    # --- columns and fields ---------------------------------------------------------------------------
    @admin.display(description="Total", ordering="total_amount")
    def total(self, obj):
        return money_text(obj.total_amount, obj.currency)

    @admin.display(description="Subtotal")
    def subtotal(self, obj):
        return money_text(obj.subtotal_amount, obj.currency)

    @admin.display(description="Discount")
    def discount(self, obj):
        return money_text(obj.discount_amount, obj.currency)

    @admin.display(description="Shipping (before its discount)")
    def shipping(self, obj):
        return money_text(obj.shipping_amount, obj.currency)

    @admin.display(description="Of the discount, on shipping")
    def shipping_discount(self, obj):
        return money_text(obj.shipping_discount_amount, obj.currency)

    @admin.display(description="Paid")
    def paid(self, obj):
        return money_text(obj.paid_amount, obj.currency)

    @admin.display(description="Refunded")
    def refunded(self, obj):
        return money_text(obj.refunded_amount, obj.currency)

    @admin.display(description="Balance due")
    def balance_due(self, obj):
        return str(obj.balance_due) if obj.pk else None

    @admin.display(description="Ship to")
    def ship_to(self, obj):
        a = obj.shipping_address or {}
        place = " ".join(x for x in (a.get("zip_code"), a.get("city")) if x)
        text = ", ".join(x for x in (a.get("recipient"), a.get("street"), place, a.get("state"), a.get("country")) if x)
        if a.get("latitude") and a.get("longitude"):
            text += f" ({a['latitude']}, {a['longitude']})"
        return text or "-"

    # --- URLs and pages ------------------------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("ship/", view(self.ship_view), name="orders_order_ship"),
            path("cancel/", view(self.cancel_view), name="orders_order_cancel"),
            path("<id:object_id>/refund/", view(self.refund_view), name="orders_order_refund"),
            path("<id:object_id>/notes/", view(self.note_view), name="orders_order_note"),
            path("<id:object_id>/packing-slip/", view(self.packing_slip_view), name="orders_order_packing_slip"),
            path("<id:object_id>/invoice/", view(self.invoice_view), name="orders_order_invoice"),
            path("<id:object_id>/transition/<str:action>/", view(self.transition_view), name="orders_order_transition"),
            *super().get_urls(),
        ]

    def _page(self, request, template: str, title: str, **context):
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **context},
        )

    def _changelist_url(self) -> str:
        return reverse("admin:orders_order_changelist")

    def _change_url(self, order) -> str:
        return reverse("admin:orders_order_change", args=[order.pk])

    def _back(self, orders) -> HttpResponseRedirect:
        return HttpResponseRedirect(self._change_url(orders[0]) if len(orders) == 1 else self._changelist_url())

    def _require(self, request, permission_check) -> None:
        if not (self.has_view_permission(request) and permission_check(request)):
            raise PermissionDenied

    def _selected(self, request) -> list[Order]:
        ids = _ids_param(request)
        return list(self.get_queryset(request).select_related("customer").filter(pk__in=ids).order_by("placed_at", "id"))

    def order_tools(self, request, order: Order) -> list[dict]:
        """The buttons on an order's page: what its status allows and this user may do."""
        allowed = lifecycle.allowed_actions(order)
        tools = []
        if self.has_manage_orders_permission(request):
            for action, (_service, label, _done) in TRANSITIONS.items():
                if action in allowed:
                    tools.append({"label": label, "post": True,
                                  "url": reverse("admin:orders_order_transition", args=[order.pk, action])})
            if "ship" in allowed:
                tools.append({"label": "Ship…", "url": f"{reverse('admin:orders_order_ship')}?ids={order.pk}"})
            if "cancel" in allowed:
                tools.append({"label": "Cancel…", "url": f"{reverse('admin:orders_order_cancel')}?ids={order.pk}"})
        if "refund" in allowed and self.has_refund_orders_permission(request):
            tools.append({"label": "Refund…", "url": reverse("admin:orders_order_refund", args=[order.pk])})
        tools.append({"label": "Packing slip", "url": reverse("admin:orders_order_packing_slip", args=[order.pk])})
        if order.status not in (Order.Status.PENDING, Order.Status.VOIDED):
            tools.append({"label": "Invoice", "url": reverse("admin:orders_order_invoice", args=[order.pk])})
        return tools

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        order = self.get_object(request, object_id)
        if order is not None:
            extra_context["order_tools"] = self.order_tools(request, order)
            extra_context["timeline"] = [
                {"event": event, "sentence": staff_sentence(event), "summary": payload_summary(event.payload)}
                for event in selectors.order_timeline(order=order)
            ]
            extra_context["customer_overview"] = selectors.customer_overview(customer_id=order.customer_id)
            extra_context["notes"] = list(selectors.order_notes(order=order))
            extra_context["note_form"] = extra_context.get("note_form") or OrderNoteForm()
            extra_context["note_url"] = reverse("admin:orders_order_note", args=[order.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    # --- notes, packing slip, invoice -----------------------------------------------------------------
    def _viewable(self, request, object_id) -> Order:
        order = self.get_object(request, str(object_id))  # scoped: staff see only orders their groups allow
        if order is None or not self.has_view_permission(request, order):
            raise Http404("No such order.")
        return order

    def note_view(self, request, object_id):
        """Add a note (POST); whoever may see the order may note on it (support calls, packing)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        order = self._viewable(request, object_id)
        form = OrderNoteForm(request.POST)
        if form.is_valid():
            try:
                order_note_add(order=order, author=request.user, text=form.cleaned_data["text"])
            except DomainError as error:
                add_domain_error(form, error)
            else:
                self.message_user(request, "The note was added.", messages.SUCCESS)
                return HttpResponseRedirect(self._change_url(order) + "#order-notes")
        # The order's page again with the note's errors: shown as a GET (the page itself is read-only).
        page_request = copy.copy(request)
        page_request.method, page_request.POST = "GET", QueryDict()
        response = self.change_view(page_request, str(order.pk), extra_context={"note_form": form})
        response.status_code = 400
        return response

    def _document(self, request, object_id, template: str, title: str):
        order = self._viewable(request, object_id)
        lines = list(order.lines.prefetch_related("allocations").order_by("id"))
        return TemplateResponse(request, template, {
            "title": title, "order": order, "lines": lines, "address": order.shipping_address or {},
            "shop": settings.SHOP_DETAILS, "customer": selectors.customer_overview(customer_id=order.customer_id, recent=0),
            "money": lambda amount: money_text(amount, order.currency),
        })

    def packing_slip_view(self, request, object_id):
        """A printable packing slip: what to pick (with the batches allocated) and where it goes; no prices."""
        return self._document(request, object_id, "admin/orders/order/packing_slip.html", "Packing slip")

    def invoice_view(self, request, object_id):
        """A printable invoice of a placed order (not of a checkout still pending or voided)."""
        order = self._viewable(request, object_id)
        if order.status in (Order.Status.PENDING, Order.Status.VOIDED):
            raise Http404("No invoice for an order not yet placed.")
        return self._document(request, object_id, "admin/orders/order/invoice.html", "Invoice")

    # --- running a command on each order ------------------------------------------------------------
    def _apply(self, request, orders, *, done: str, call) -> list[Order]:
        """Run ``call(order)`` (one service call) per order, each in its own transaction; report each."""
        succeeded = self.run_each(request, orders, done=done, call=call, describe=self._described_after_commit)
        return [updated for _order, updated in succeeded]

    def _described_after_commit(self, _order, updated: Order) -> str:
        updated.refresh_from_db()  # what happened once it committed (a cancel's refund runs then)
        return self._described(updated)

    def row_label(self, order: Order) -> str:
        return f"Order {order.number}"

    @staticmethod
    def _described(order: Order) -> str:
        if order.status == Order.Status.CANCELLED and order.refunded_amount:
            return f"{order.number} (refunded {money_text(order.refunded_amount, order.currency)})"
        return order.number

    def _transition(self, request, orders, action: str) -> None:
        service, _label, done = TRANSITIONS[action]
        self._apply(request, orders, done=done, call=lambda order: service(order=order.pk))

    def transition_view(self, request, object_id, action):
        """A button on the order's page: the same transition as the changelist action."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._require(request, self.has_manage_orders_permission)
        if action not in TRANSITIONS:
            raise Http404("No such action.")
        order = self.get_object(request, object_id)
        if order is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        self._transition(request, [order], action)
        return HttpResponseRedirect(self._change_url(order))

    # --- the changelist actions --------------------------------------------------------------------------
    @admin.action(description="Confirm selected orders", permissions=["manage_orders"])
    def confirm(self, request, queryset):
        self._transition(request, list(queryset.order_by("placed_at", "id")), "confirm")

    @admin.action(description="Allocate stock to selected orders (records their batches)", permissions=["manage_orders"])
    def allocate(self, request, queryset):
        self._transition(request, list(queryset.order_by("placed_at", "id")), "allocate")

    @admin.action(description="Mark selected orders ready to ship", permissions=["manage_orders"])
    def mark_ready(self, request, queryset):
        self._transition(request, list(queryset.order_by("placed_at", "id")), "mark_ready")

    @admin.action(description="Ship selected orders… (carrier and tracking numbers)", permissions=["manage_orders"])
    def ship(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.order_by("placed_at", "id").values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:orders_order_ship')}?ids={ids}")

    @admin.action(description="Mark selected orders delivered", permissions=["manage_orders"])
    def deliver(self, request, queryset):
        self._transition(request, list(queryset.order_by("placed_at", "id")), "deliver")

    @admin.action(description="Complete selected orders", permissions=["manage_orders"])
    def complete(self, request, queryset):
        self._transition(request, list(queryset.order_by("placed_at", "id")), "complete")

    @admin.action(description="Cancel selected orders… (with a reason; paid ones are refunded)", permissions=["manage_orders"])
    def cancel(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.order_by("placed_at", "id").values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:orders_order_cancel')}?ids={ids}")

    @admin.action(description="Refund the selected order…", permissions=["refund_orders"])
    def refund(self, request, queryset):
        orders = list(queryset[:2])
        if len(orders) != 1:
            self.message_user(request, "Choose exactly one order to refund.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:orders_order_refund", args=[orders[0].pk]))

    # --- ship and cancel: a form first ------------------------------------------------------------------
    @staticmethod
    def _split(orders, action: str) -> tuple[list[Order], list[Order]]:
        able = [o for o in orders if action in lifecycle.allowed_actions(o)]
        return able, [o for o in orders if o not in able]

    def _report_refused(self, request, orders, action: str) -> None:
        for order in orders:
            try:
                lifecycle.check_transition(order, action)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)

    def ship_view(self, request):
        self._require(request, self.has_manage_orders_permission)
        orders = self._selected(request)
        if not orders:
            self.message_user(request, "Choose at least one order to ship.", messages.WARNING)
            return HttpResponseRedirect(self._changelist_url())
        shippable, refused = self._split(orders, "ship")
        if not shippable:
            self._report_refused(request, refused, "ship")
            return self._back(orders)
        form = ShipForm(request.POST or None, orders=shippable)
        if request.method == "POST" and form.is_valid():
            carrier = form.cleaned_data["carrier"]
            tracking = {o.pk: form.cleaned_data[f"tracking_{o.pk}"] for o in shippable}
            self._apply(
                request, shippable, done=f"Shipped with {carrier}",
                call=lambda order: lifecycle.order_ship(order=order.pk, carrier=carrier, tracking_number=tracking[order.pk]),
            )
            self._report_refused(request, refused, "ship")
            return self._back(orders)
        return self._page(request, "admin/orders/order/ship.html", "Ship orders", form=form, refused=refused,
                          ids=",".join(str(o.pk) for o in orders))

    def cancel_view(self, request):
        self._require(request, self.has_manage_orders_permission)
        orders = self._selected(request)
        if not orders:
            self.message_user(request, "Choose at least one order to cancel.", messages.WARNING)
            return HttpResponseRedirect(self._changelist_url())
        cancellable, refused = self._split(orders, "cancel")
        if not cancellable:
            self._report_refused(request, refused, "cancel")
            return self._back(orders)
        form = CancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(request, cancellable, done="Cancelled",
                        call=lambda order: lifecycle.order_cancel(order=order.pk, reason=reason))
            self._report_refused(request, refused, "cancel")
            return self._back(orders)
        return self._page(
            request, "admin/orders/order/cancel.html", "Cancel orders", form=form, orders=cancellable, refused=refused,
            ids=",".join(str(o.pk) for o in orders),
        )

    # --- refund ---------------------------------------------------------------------------------------
    def refund_view(self, request, object_id):
        self._require(request, self.has_refund_orders_permission)
        order = self.get_object(request, object_id)
        if order is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        if "refund" not in lifecycle.allowed_actions(order):
            if order.status in lifecycle.TRANSITIONS["refund"][0]:
                self.message_user(request, f"Order {order.number} has no payment left to refund.", messages.ERROR)
            else:
                self._report_refused(request, [order], "refund")
            return HttpResponseRedirect(self._change_url(order))
        lines = list(order.lines.order_by("id"))
        form = RefundForm(request.POST or None, lines=lines)
        if request.method == "POST" and form.is_valid():
            try:  # no transaction around it: the service calls the gateway after its own has committed
                updated = order_refund(order=order.pk, **form.command())
                self.log_change(request, updated, f"Refunded: {form.cleaned_data['reason']} (admin).")
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                self.message_user(
                    request,
                    f"Refunded order {updated.number}: {money_text(updated.refunded_amount, updated.currency)} refunded in all, "
                    f"payment status {updated.get_payment_status_display().lower()}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._change_url(updated))
        return self._page(request, "admin/orders/order/refund.html", f"Refund order {order.number}", form=form,
                          order=order, refundable=order.refundable, paid=money_text(order.paid_amount, order.currency),
                          already_refunded=money_text(order.refunded_amount, order.currency))
