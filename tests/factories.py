"""factory-boy factories for the shared core. Subdomain apps add theirs under tests/<app>/."""

import datetime
import itertools
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db.models import Max
from django.forms import MultiWidget
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from commerce.accounts.models import Address, CustomerProfile, SalesRegion, User
from commerce.accounts.services import address_create
from commerce.audit.models import DomainEvent
from commerce.catalog.models import Category, Manufacturer, Product

_seq = itertools.count(1)

PASSWORD = "correct-horse-battery"  # every user the factories make has it
# An unusable password, stored as is: tests log in with force_login, and hashing takes half a second.
NO_PASSWORD = factory.Transformer.Force("!")


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
    password = factory.django.Password(PASSWORD)

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
    is_default = False
    # The database keeps default_for equal to the customer exactly when the address is the default.
    default_for = factory.LazyAttribute(lambda address: address.customer if address.is_default else None)


def customer_with_address(**kwargs):
    """A shopper with one address (through the accounts service, so it has its event)."""
    customer = CustomerFactory(**kwargs)
    address = address_create(customer=customer, recipient="Ada", street="1 Rue", city="Lyon", zip_code="69001", country="FR",
                             latitude=Decimal("45.760000"), longitude=Decimal("4.830000"))
    return customer, address


def token_client(user) -> APIClient:
    """An API client that authenticates as ``user`` with a token, as the mobile app does."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


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

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Saved and indexed for search, as ``product_create`` does."""
        from commerce.catalog.search.index import search_index_products

        product = super()._create(model_class, *args, **kwargs)
        search_index_products(product_ids=[product.pk])
        return product


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def days_ahead(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def admin_form_data(response, **overrides) -> dict:
    """The POST a browser sends for the admin form on ``response``'s page, with ``overrides`` applied."""
    data = {}

    def put(form, name):
        value = form[name].value()
        if value is None or value is False:
            return
        key = form.add_prefix(name)
        widget = form.fields[name].widget
        if isinstance(widget, MultiWidget):  # e.g. a split date and time: name_0, name_1
            for i, part in enumerate(widget.decompress(value)):
                data[f"{key}_{i}"] = "" if part is None else str(part)
            return
        if value is True:
            data[key] = "on"
        elif isinstance(value, (list, tuple)):
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value)

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for subform in formset.forms:
            for name in subform.fields:
                put(subform, name)
    data.update({k: v for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        data.pop(key, None)
    return data


def last_event_id() -> int:
    """The id of the newest audit row, 0 when there is none: what a test does next is recorded after it."""
    return DomainEvent.objects.aggregate(last=Max("id"))["last"] or 0


def events(event_type: str, *, channel: str | None = None, after: int = 0) -> list[DomainEvent]:
    """The audit rows of one type, oldest first. ``channel`` keeps those recorded through it (``"admin"``:
    by the back office, not by the factories that set the test up); ``after`` those after that id."""
    rows = DomainEvent.objects.filter(event_type=event_type, id__gt=after)
    if channel is not None:
        rows = rows.filter(channel=channel)
    return list(rows.order_by("id"))


def messages_of(response) -> list[str]:
    """The texts of the messages (``django.contrib.messages``) the request behind ``response`` left."""
    return [str(m) for m in get_messages(response.wsgi_request)]
