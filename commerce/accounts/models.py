from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from commerce.db_fields import CASCADE_FIRST


class SalesRegion(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A shopper or a staff member. Staff in the Sales group see the orders of their regions."""

    email = models.EmailField(blank=True)
    sales_regions = models.ManyToManyField(
        SalesRegion, blank=True, related_name="staff", help_text="Regions a Sales staff member may see."
    )
    # Set once by ``user_anonymise``: the account's personal data scrubbed, its history kept.
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)


class CustomerProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="customer_profile")
    phone = models.CharField(max_length=32, blank=True)
    sales_region = models.ForeignKey(SalesRegion, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Profile of {self.user}"


class Address(models.Model):
    customer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(max_length=40, blank=True, help_text="Home, Work, ...")
    recipient = models.CharField(max_length=120)
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=100, blank=True)
    zip_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    is_default = models.BooleanField(default=False)
    # The customer while this is their default address, NULL otherwise: unique, so the database
    # keeps one default address per customer on every backend (MariaDB drops a conditional
    # UniqueConstraint). Set by the address services only, together with is_default.
    # CASCADE_FIRST: Django's CASCADE of a nullable key nulls it first on MariaDB, which the check refuses.
    default_for = models.OneToOneField(User, null=True, blank=True, editable=False, on_delete=CASCADE_FIRST,
                                       related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "id"]
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_default=True, default_for__isnull=False, default_for=models.F("customer"))
                | models.Q(is_default=False, default_for__isnull=True),
                name="accounts_address_default_for_customer",
            ),
        ]

    def __str__(self):
        return f"{self.recipient}, {self.street}, {self.zip_code} {self.city}, {self.country}"

    def as_value(self) -> dict:
        """The address as a plain value, for snapshots on orders and deliveries."""
        return {
            "recipient": self.recipient,
            "street": self.street,
            "city": self.city,
            "state": self.state,
            "zip_code": self.zip_code,
            "country": self.country,
            "latitude": str(self.latitude) if self.latitude is not None else None,
            "longitude": str(self.longitude) if self.longitude is not None else None,
        }


class Access(models.Model):
    """Holds the project's cross-app permissions; no table."""

    class Meta:
        managed = False
        verbose_name = "access right"
        verbose_name_plural = "access rights"
        default_permissions = ()
        permissions = [
            ("place_orders", "Can place orders"),
            ("view_all_orders", "Can view all orders"),
            ("view_region_orders", "Can view the orders of own sales regions"),
            ("manage_orders", "Can run order fulfilment actions"),
            ("refund_orders", "Can refund orders"),
            ("manage_inventory", "Can receive and adjust stock"),
            ("recall_batches", "Can run batch recalls"),
            ("manage_promotions", "Can manage promotions and coupons"),
            ("moderate_reviews", "Can moderate reviews"),
            ("dispatch_routes", "Can plan and dispatch delivery routes"),
            ("view_customers", "Can view customer accounts"),
        ]

    def __str__(self):
        return "access"
