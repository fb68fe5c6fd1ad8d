from dataclasses import dataclass
from typing import ClassVar

from commerce.audit.events import DomainEventData


@dataclass(frozen=True, kw_only=True)
class CustomerRegistered(DomainEventData):
    event_type: ClassVar[str] = "accounts.customer.registered"
    stream_type: ClassVar[str] = "customer"
    customer_id: int
    username: str

    @property
    def stream_id(self):
        return self.customer_id


@dataclass(frozen=True, kw_only=True)
class UserDeleted(DomainEventData):
    """A user account and what was only theirs (addresses, carts, reviews, votes) deleted."""

    event_type: ClassVar[str] = "accounts.user.deleted"
    stream_type: ClassVar[str] = "customer"
    customer_id: int
    username: str

    @property
    def stream_id(self):
        return self.customer_id


@dataclass(frozen=True, kw_only=True)
class UserAnonymised(DomainEventData):
    """A user's personal data scrubbed (names, e-mail, phone, addresses, log-in); their orders, reviews'
    ratings and the audit trail kept. The payload names no one: the id, and what was removed, counted."""

    event_type: ClassVar[str] = "accounts.user.anonymised"
    stream_type: ClassVar[str] = "customer"
    customer_id: int
    addresses_removed: int
    api_logins_removed: int  # API tokens deleted (named so: the audit masks "token" keys)
    stock_alerts_removed: int  # "notify me" alerts (they hold an e-mail address)

    @property
    def stream_id(self):
        return self.customer_id


@dataclass(frozen=True, kw_only=True)
class CustomerProfileUpdated(DomainEventData):
    event_type: ClassVar[str] = "accounts.customer.profile_updated"
    stream_type: ClassVar[str] = "customer"
    customer_id: int
    changes: dict

    @property
    def stream_id(self):
        return self.customer_id


@dataclass(frozen=True, kw_only=True)
class AddressAdded(DomainEventData):
    event_type: ClassVar[str] = "accounts.address.added"
    stream_type: ClassVar[str] = "customer"
    customer_id: int
    address_id: int
    address: dict

    @property
    def stream_id(self):
        return self.customer_id


@dataclass(frozen=True, kw_only=True)
class AddressUpdated(DomainEventData):
    event_type: ClassVar[str] = "accounts.address.updated"
    stream_type: ClassVar[str] = "customer"
    customer_id: int
    address_id: int
    address: dict

    @property
    def stream_id(self):
        return self.customer_id


@dataclass(frozen=True, kw_only=True)
class AddressRemoved(DomainEventData):
    event_type: ClassVar[str] = "accounts.address.removed"
    stream_type: ClassVar[str] = "customer"
    customer_id: int
    address_id: int

    @property
    def stream_id(self):
        return self.customer_id


@dataclass(frozen=True, kw_only=True)
class SalesRegionSaved(DomainEventData):
    event_type: ClassVar[str] = "accounts.sales_region.saved"
    stream_type: ClassVar[str] = "sales_region"
    region_id: int
    code: str
    name: str
    created: bool

    @property
    def stream_id(self):
        return self.region_id
