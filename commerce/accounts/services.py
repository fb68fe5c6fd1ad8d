from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from rest_framework.authtoken.models import Token

from commerce import telemetry
from commerce.accounts import access
from commerce.accounts.errors import (
    AddressNotFound,
    InvalidCredentials,
    RegistrationInvalid,
    UserAlreadyAnonymised,
    UserHasHistory,
)
from commerce.accounts.events import (
    AddressAdded,
    AddressRemoved,
    AddressUpdated,
    CustomerProfileUpdated,
    CustomerRegistered,
    UserAnonymised,
    UserDeleted,
)
from commerce.accounts.models import Address, CustomerProfile, SalesRegion, User
from commerce.accounts.signals import user_deleting
from commerce.audit.events import record
from commerce.catalog.models import StockAlert
from commerce.catalog.stock_alerts import normalise_email
from commerce.locks import Kind, lock, lock_get, lock_one
from commerce.validation import full_clean_or_raise

ADDRESS_FIELDS = ("label", "recipient", "street", "city", "state", "zip_code", "country", "latitude", "longitude")


def customer_register(
    *,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    sales_region: SalesRegion | None = None,
) -> User:
    """Create a shopper account in the Customers group, with a profile."""
    with telemetry.command_span("commerce.customer.register"), transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise RegistrationInvalid(
                "That user name is taken.", fields={"username": ["A user with that user name already exists."]}
            )
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        full_clean_or_raise(user, exclude=["password"], message="The registration is not valid.")
        try:
            password_validation.validate_password(password, user)
        except DjangoValidationError as exc:
            raise RegistrationInvalid("The password is too weak.", fields={"password": exc.messages}) from exc
        user.set_password(password)
        user.save()
        user.groups.add(access.group(access.CUSTOMERS))
        CustomerProfile.objects.create(user=user, sales_region=sales_region)
        record(CustomerRegistered(customer_id=user.pk, username=user.username))
        return user


def user_delete(*, user: User) -> None:
    """Delete a user account with what was only theirs: profile, addresses, carts, tokens, reviews,
    votes, segment memberships; their journey and the audit rows stay, no longer anyone's. Refused
    (``UserHasHistory``, nothing changed) for a user whose orders, redemptions, questions, answers or
    driver's record the shop keeps."""
    with telemetry.command_span("commerce.user.delete", attributes={"user.id": user.pk}), transaction.atomic():
        locked = lock_get(Kind.CUSTOMER, User.objects.filter(pk=user.pk))
        record(UserDeleted(customer_id=locked.pk, username=locked.username))
        user_deleting.send(sender=User, user=locked)
        try:
            locked.delete()  # refused before any row is touched; the refusal rolls the event back
        except ProtectedError as exc:
            kept = sorted({str(type(row)._meta.verbose_name_plural) for row in exc.protected_objects})
            raise UserHasHistory(f"{locked.username} cannot be deleted: the shop keeps their {', '.join(kept)}.",
                                 extra={"kept": kept}) from exc


ANONYMOUS_PREFIX = "anonymised-"


def user_anonymise(*, user: User) -> User:
    """Scrub a user's personal data where deleting the account is refused (``UserHasHistory``): the user
    name becomes ``anonymised-<id>``; names, e-mail and phone are emptied; the address book and API
    tokens and its "notify me" alerts (also a guest's with the same e-mail) are removed; the account can no longer log in. What the shop keeps stays, no longer
    theirs by name: orders (their own address snapshot, the shop's record of a sale), reviews' ratings
    and text (shown under the new name, see ``Review.author_name``), questions and answers, the audit
    trail (append-only: its rows are not rewritten). Refused (``UserAlreadyAnonymised``) the second time."""
    with telemetry.command_span("commerce.user.anonymise", attributes={"user.id": user.pk}), transaction.atomic():
        locked = lock_get(Kind.CUSTOMER, User.objects.filter(pk=user.pk))
        if locked.anonymised_at is not None:
            raise UserAlreadyAnonymised(f"User {locked.pk} was anonymised on {locked.anonymised_at:%Y-%m-%d}.")
        _, removed = Address.objects.filter(customer=locked).delete()
        addresses = removed.get(Address._meta.label, 0)
        tokens, _ = Token.objects.filter(user=locked).delete()
        # "notify me" alerts keep an e-mail address: theirs, and any a guest left with the same address
        alerts = StockAlert.objects.filter(customer=locked)
        if locked.email:
            alerts = alerts | StockAlert.objects.filter(email=normalise_email(locked.email))  # as alerts store it
        stock_alerts, _ = alerts.delete()
        CustomerProfile.objects.filter(user=locked).update(phone="")
        locked.username = f"{ANONYMOUS_PREFIX}{locked.pk}"
        locked.first_name = locked.last_name = locked.email = ""
        locked.is_active = False
        locked.set_unusable_password()
        locked.anonymised_at = timezone.now()
        locked.save()
        record(UserAnonymised(customer_id=locked.pk, addresses_removed=addresses, api_logins_removed=tokens,
                               stock_alerts_removed=stock_alerts))
        return locked


def profile_update(*, user: User, **changes) -> User:
    allowed = {"first_name", "last_name", "email", "phone"}
    unknown = set(changes) - allowed
    if unknown:
        raise RegistrationInvalid(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        user = lock_get(Kind.CUSTOMER, User.objects.filter(pk=user.pk))
        profile, _ = CustomerProfile.objects.get_or_create(user=user)
        diff = {}
        for field, value in changes.items():
            target = profile if field == "phone" else user
            if getattr(target, field) != value:
                diff[field] = {"before": getattr(target, field), "after": value}
                setattr(target, field, value)
        full_clean_or_raise(user, exclude=["password"])
        full_clean_or_raise(profile, exclude=["user"])
        user.save()
        profile.save()
        if diff:
            record(CustomerProfileUpdated(customer_id=user.pk, changes=diff))
        return user


def _lock_customer(customer: User) -> None:
    """Serialise the commands that choose a customer's default address (one row lock on the user):
    concurrent ones then see each other's result, and the unique ``default_for`` never refuses one."""
    lock(Kind.CUSTOMER, User.objects.filter(pk=customer.pk).only("pk"))


def _make_default(customer: User, address: Address) -> None:
    """``address`` (not yet saved) becomes the default: the previous default stops being it first."""
    Address.objects.filter(default_for=customer).exclude(pk=address.pk).update(is_default=False, default_for=None)
    address.is_default, address.default_for = True, customer


def address_create(*, customer: User, is_default: bool = False, **fields) -> Address:
    with transaction.atomic():
        address = Address(customer=customer, **{k: v for k, v in fields.items() if k in ADDRESS_FIELDS})
        full_clean_or_raise(address, exclude=["customer", "is_default"], message="The address is not valid.")
        _lock_customer(customer)
        first = not Address.objects.filter(customer=customer).exists()
        if is_default or first:
            _make_default(customer, address)
        address.save()
        record(AddressAdded(customer_id=customer.pk, address_id=address.pk, address=address.as_value()))
        return address


def _own_address_for_update(customer: User, address_id: int) -> Address:
    address = lock_one(Kind.ADDRESS, Address.objects.filter(customer=customer, pk=address_id))
    if address is None:
        raise AddressNotFound("No such address.")
    return address


def address_update(*, customer: User, address_id: int, is_default: bool | None = None, **fields) -> Address:
    with transaction.atomic():
        if is_default:
            _lock_customer(customer)  # the customer first, then the address: the order every command takes
        address = _own_address_for_update(customer, address_id)
        for key, value in fields.items():
            if key in ADDRESS_FIELDS:
                setattr(address, key, value)
        full_clean_or_raise(address, exclude=["customer", "is_default"], message="The address is not valid.")
        if is_default:
            _make_default(customer, address)
        address.save()
        record(AddressUpdated(customer_id=customer.pk, address_id=address.pk, address=address.as_value()))
        return address


def address_delete(*, customer: User, address_id: int) -> None:
    with transaction.atomic():
        _lock_customer(customer)
        address = _own_address_for_update(customer, address_id)
        was_default = address.is_default
        address.delete()
        if was_default:
            successor = Address.objects.filter(customer=customer).order_by("id").first()
            if successor is not None:
                _make_default(customer, successor)
                successor.save(update_fields=["is_default", "default_for"])
        record(AddressRemoved(customer_id=customer.pk, address_id=address_id))


def auth_token_issue(*, username: str, password: str, request=None) -> Token:
    """The API token of the user with these credentials (created on first use), for mobile clients."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise InvalidCredentials("Unable to log in with the provided credentials.")
    with transaction.atomic():
        token, _ = Token.objects.get_or_create(user=user)
    return token


def auth_token_revoke(*, user: User) -> None:
    """Log an API client out: its token stops working; a new log-in issues a new one."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()


def sales_region_save(*, code: str, name: str, region: SalesRegion | None = None) -> SalesRegion:
    """Create a sales region, or rename / recode an existing one."""
    from commerce.accounts.events import SalesRegionSaved

    with transaction.atomic():
        created = region is None
        region = SalesRegion() if created else lock_get(Kind.SALES_REGION, SalesRegion.objects.filter(pk=region.pk))
        region.code, region.name = code, name
        full_clean_or_raise(region, message="The sales region is not valid.")
        region.save()
        record(SalesRegionSaved(region_id=region.pk, code=region.code, name=region.name, created=created))
        return region


def customer_profile_set(*, user: User, phone: str | None = None, sales_region: SalesRegion | None = None) -> CustomerProfile:
    """Staff set a customer's phone and sales region (which decides which Sales staff see them)."""
    with transaction.atomic():
        CustomerProfile.objects.get_or_create(user=user)  # a new profile is created unlocked, then locked
        profile = lock_get(Kind.CUSTOMER_PROFILE, CustomerProfile.objects.filter(user=user))
        diff = {}
        if phone is not None and phone != profile.phone:
            diff["phone"] = {"before": profile.phone, "after": phone}
            profile.phone = phone
        if sales_region != profile.sales_region:
            diff["sales_region"] = {"before": profile.sales_region_id, "after": sales_region.pk if sales_region else None}
            profile.sales_region = sales_region
        full_clean_or_raise(profile, exclude=["user"])
        profile.save()
        if diff:
            record(CustomerProfileUpdated(customer_id=user.pk, changes=diff))
        return profile
