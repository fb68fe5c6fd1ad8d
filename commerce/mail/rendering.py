"""Mails as Django templates: ``<template>.subject.txt``, ``<template>.txt`` and ``<template>.html``.

Each body extends the shared layout (``mail/base.txt``, ``mail/base.html``: the shop's name, a link
to the shop, the footer). The HTML part is rendered with autoescaping, as every page is, so text a
customer typed (an address, a reason) is shown, never run; the text part and the subject are plain
text and rendered without it. Links in mails are absolute, built from ``SITE_URL``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.template import Context
from django.template.loader import get_template

SUBJECT_MAX = 200


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def absolute_url(path: str) -> str:
    """``/orders/AB12C-DE34F/`` as a link that works from a mailbox: ``https://shop.example.com/orders/...``."""
    if not path.startswith("/"):
        raise ValueError(f"a path from the site's root was expected, not {path!r}")
    return settings.SITE_URL + path


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _plain(name: str, context: dict) -> str:
    # The engine's template, rendered without autoescaping: this is text, not HTML.
    return get_template(name).template.render(Context(context, autoescape=False))


def render_mail(template: str, context: dict) -> RenderedMail:
    """Render the three parts of ``template`` with ``context`` plus ``shop_name`` and ``site_url``."""
    values = {"shop_name": settings.SHOP_NAME, "site_url": settings.SITE_URL, **context}
    subject = " ".join(_plain(f"{template}.subject.txt", values).split())  # one line: no header injection
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1].rstrip() + "…"
    text = _plain(f"{template}.txt", values).strip() + "\n"
    html = get_template(f"{template}.html").render(values)
    return RenderedMail(subject=subject, text=text, html=html)
