"""factory-boy factories for the shared core. Subdomain apps add theirs under tests/<app>/."""

import datetime
import itertools

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from commerce.accounts.models import Address, CustomerProfile, SalesRegion, User
from commerce.catalog.models import Category, Manufacturer, Product

_seq = itertools.count(1)


class SalesRegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesRegion
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Region {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


class CustomerFactory(UserFactory):
    """A shopper in the Customers group with a profile."""

    profile = factory.RelatedFactory("tests.factories.CustomerProfileFactory", factory_related_name="user")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            for name in extracted or ["Customers"]:
                self.groups.add(Group.objects.get(name=name))


class CustomerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerProfile

    user = factory.SubFactory(UserFactory)


class StaffFactory(UserFactory):
    is_staff = True


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    customer = factory.SubFactory(CustomerFactory)
    recipient = "Ada Lovelace"
    street = factory.Sequence(lambda n: f"{n} Main Street")
    city = "Lyon"
    zip_code = "69001"
    country = "FR"


def category(name: str = None, parent: Category | None = None) -> Category:
    name = name or f"Category {next(_seq)}"
    slug = f"{name.lower().replace(' ', '-')}-{next(_seq)}"
    from commerce.catalog.services import category_create

    return category_create(name=name, slug=slug, parent=parent)


class ManufacturerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Manufacturer

    name = factory.Sequence(lambda n: f"Maker {n}")
    slug = factory.Sequence(lambda n: f"maker-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    category = factory.LazyFunction(lambda: category())
    manufacturer = factory.SubFactory(ManufacturerFactory)
    price_amount = factory.LazyFunction(lambda: __import__("decimal").Decimal("9.99"))
    price_currency = "EUR"


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def days_ahead(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)
