"""Providers registered by name: what the ports of the core and of orders are made of (product page
sections, product card extras, shelves, order page sections; see ARCHITECTURE.md, *Where two parts
meet*).

The port declares one ``Registry``; an app that has something to show registers a provider in its
``AppConfig.ready``; the page asks the port, which calls each provider in ``order``, then name. A
provider that raises is a bug in that app: it is logged and left out, so one app's failure never
takes a page down. What a provider is called with and answers is the port's to say.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

P = TypeVar("P", bound=Callable[..., Any])


@dataclass(frozen=True)
class Registered(Generic[P]):
    name: str
    order: int
    provider: P


class Registry(Generic[P]):
    """Providers by name; ``what`` names one in the log ("product section")."""

    def __init__(self, what: str, *, logger: logging.Logger | None = None):
        self.what = what
        self.logger = logger or logging.getLogger(__name__)
        self._entries: dict[str, Registered[P]] = {}

    def register(self, name: str, provider: P, *, order: int = 100) -> P:
        """Add (or replace, by name) a provider. Returns it, so it can decorate."""
        self._entries[name] = Registered(name=name, order=order, provider=provider)
        return provider

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    def entries(self) -> list[Registered[P]]:
        """The providers in the order they are called: ``order``, then name."""
        return sorted(self._entries.values(), key=lambda entry: (entry.order, entry.name))

    def names(self) -> list[str]:
        return [entry.name for entry in self.entries()]

    def answers(self, *, about: str = "", **arguments) -> Iterator[tuple[str, Any]]:
        """``(name, provider(**arguments))`` for each provider in order; one that raises is logged
        (``about`` says for what: "for product 12") and left out."""
        for entry in self.entries():
            try:
                answer = entry.provider(**arguments)
            except Exception:
                self.logger.exception("%s %r failed%s; left out", self.what, entry.name, f" {about}" if about else "")
                continue
            yield entry.name, answer

    @contextmanager
    def isolated(self) -> Iterator[Registry[P]]:
        """No provider for the duration, those registered back after (tests of a port on its own)."""
        saved = dict(self._entries)
        self._entries.clear()
        try:
            yield self
        finally:
            self._entries.clear()
            self._entries.update(saved)
