"""The pages of "notify me when it is back in stock": the product page's form posts here, and the
links of the mails land here. Each view calls one command of ``stock_alerts``; a GET never changes
anything (mail scanners follow links), so each link opens a page with a button.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from commerce.catalog import stock_alerts
from commerce.catalog.models import Product, StockAlert
from commerce.errors import DomainError
from commerce.web import within_hourly_limit


class StockAlertForm(forms.Form):
    email = forms.EmailField(max_length=254, required=False)


class StockAlertSubscribeView(View):
    """POST from an out-of-stock product's page: a customer's own address, or the address a guest gives."""

    def post(self, request, slug: str):
        product = get_object_or_404(Product.objects.only("id", "slug", "name"), slug=slug)
        back = product.get_absolute_url()
        form = StockAlertForm(request.POST)
        customer = request.user if request.user.is_authenticated else None
        if not form.is_valid():
            messages.error(request, "Enter a valid e-mail address.")
            return redirect(back)
        email = form.cleaned_data["email"] or (customer.email if customer else "")
        if not email:
            messages.error(request, "Enter your e-mail address.")
            return redirect(back)
        if not within_hourly_limit(request, "stock_alert", settings.CATALOG_STOCK_ALERTS_PER_HOUR):
            messages.error(request, "Too many alerts asked for from your connection. Please try again in an hour.")
            return redirect(back)
        try:
            alert = stock_alerts.stock_alert_subscribe(product_id=product.pk, email=email, customer=customer)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(back)
        if alert.status == StockAlert.Status.PENDING:
            messages.success(request, f"Check your mailbox: confirm {alert.email} and we will mail you when {product.name} is back.")
        else:
            messages.success(request, f"We will mail {alert.email} once when {product.name} is back in stock.")
        return redirect(back)


class StockAlertCancelView(View):
    """POST from the product page: a customer stops their own alert for it."""

    def post(self, request, slug: str):
        product = get_object_or_404(Product.objects.only("id", "slug"), slug=slug)
        if request.user.is_authenticated:
            alert = StockAlert.objects.filter(product=product, customer=request.user).first()
            if alert is not None:
                stock_alerts.stock_alert_unsubscribe(alert=alert)
                messages.success(request, "Your back-in-stock alert is cancelled.")
        return redirect(product.get_absolute_url())


class _LinkView(View):
    purpose = ""
    template_name = "catalog/stock_alert.html"

    def _alert(self, request, token: str) -> StockAlert | None:
        try:
            return stock_alerts.stock_alert_from_link(token=token, purpose=self.purpose)
        except DomainError:
            return None

    def get(self, request, token: str):
        alert = self._alert(request, token)
        if alert is None:
            return render(request, self.template_name, {"invalid": True}, status=404)
        return render(request, self.template_name, {"alert": alert, "purpose": self.purpose, "done": False})

    def post(self, request, token: str):
        alert = self._alert(request, token)
        if alert is None:
            return render(request, self.template_name, {"invalid": True}, status=404)
        alert = self.command(alert)
        context = {"alert": alert, "purpose": self.purpose, "done": True}
        if self.purpose == "confirm":
            context["unsubscribe_path"] = stock_alerts.unsubscribe_url(alert).removeprefix(settings.SITE_URL)
        return render(request, self.template_name, context)


class StockAlertConfirmView(_LinkView):
    purpose = "confirm"

    def command(self, alert):
        return stock_alerts.stock_alert_confirm(alert=alert)


class StockAlertUnsubscribeView(_LinkView):
    purpose = "unsubscribe"

    def command(self, alert):
        return stock_alerts.stock_alert_unsubscribe(alert=alert)
