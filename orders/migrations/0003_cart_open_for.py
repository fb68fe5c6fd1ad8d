"""One open cart per customer, enforced by the database on every backend.

The conditional UniqueConstraint ``orders_one_open_cart_per_customer`` never existed on MariaDB
(no partial indexes; Django only warns, W036): concurrent first requests left customers there
with several open carts. ``open_for`` (unique, the customer while the cart is open, NULL
otherwise) replaces it, and replaces the (customer, status) index that found the open cart.

The backfill keeps each customer's newest open cart (highest id) open and merges the others
into it, as a log-in merges a guest cart: a product already in the kept cart gets the quantities
added (at most 10,000, the per-line maximum), another line moves over with the price it was seen
at, coupon codes are joined (at most 5); the older carts become ``merged``.
"""

from django.conf import settings
from django.db import migrations, models

MAX_QUANTITY = 10_000  # commerce.catalog.inventory.MAX_QUANTITY when this was written
MAX_COUPONS = 5  # orders.services.cart.MAX_COUPONS


def merge_into_newest_open_cart(apps, schema_editor):
    Cart = apps.get_model("orders", "Cart")
    CartLine = apps.get_model("orders", "CartLine")
    open_carts = Cart.objects.filter(status="open", customer__isnull=False).order_by("customer_id", "-id")
    kept = {}
    for cart in open_carts.only("id", "customer_id", "coupon_codes").iterator():
        target = kept.get(cart.customer_id)
        if target is None:
            kept[cart.customer_id] = cart
            continue
        lines = {line.product_id: line for line in CartLine.objects.filter(cart_id=target.pk)}
        for line in CartLine.objects.filter(cart_id=cart.pk).order_by("id"):
            current = lines.get(line.product_id)
            if current is None:
                line.cart_id = target.pk
                line.save(update_fields=["cart"])
                lines[line.product_id] = line
            else:
                current.quantity = min(MAX_QUANTITY, current.quantity + line.quantity)
                current.save(update_fields=["quantity"])
                line.delete()
        codes = list(dict.fromkeys([*target.coupon_codes, *cart.coupon_codes]))[:MAX_COUPONS]
        if codes != target.coupon_codes:
            target.coupon_codes = codes
            Cart.objects.filter(pk=target.pk).update(coupon_codes=codes)
        Cart.objects.filter(pk=cart.pk).update(status="merged")
    Cart.objects.filter(status="open", customer__isnull=False).update(open_for=models.F("customer"))


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0002_cart_customer_status_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="cart",
            name="orders_one_open_cart_per_customer",
        ),
        migrations.RemoveIndex(
            model_name="cart",
            name="orders_cart_cust_status_idx",
        ),
        migrations.AddField(
            model_name="cart",
            name="open_for",
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=models.deletion.CASCADE,
                                       related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(merge_into_newest_open_cart, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="cart",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("open_for", models.F("customer")), ("open_for__isnull", False), ("status", "open")),
                    models.Q(("open_for__isnull", True),
                             models.Q(models.Q(("status", "open"), _negated=True), ("customer__isnull", True), _connector="OR")),
                    _connector="OR",
                ),
                name="orders_cart_open_for_customer",
            ),
        ),
    ]
