"""Where a parcel can be followed: the tracking page of each carrier the shop knows."""

from __future__ import annotations

from urllib.parse import quote

#: carrier (as staff type it, compared without case or surrounding spaces) -> its tracking page
TRACKING_URLS = {
    "colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    "la poste": "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    "chronopost": "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={number}",
    "dpd": "https://trace.dpd.fr/fr/trace/{number}",
    "dpd france": "https://trace.dpd.fr/fr/trace/{number}",
    "gls": "https://gls-group.com/FR/fr/suivi-colis?match={number}",
    "ups": "https://www.ups.com/track?tracknum={number}",
    "dhl": "https://www.dhl.com/fr-en/home/tracking.html?tracking-id={number}",
}


def tracking_url(carrier: str, tracking_number: str) -> str | None:
    """The carrier's tracking page for this parcel, or None for a carrier the shop does not know."""
    template = TRACKING_URLS.get(" ".join((carrier or "").lower().split()))
    if template is None or not (tracking_number or "").strip():
        return None
    return template.format(number=quote(tracking_number.strip(), safe=""))


#: carriers whose delivering app tells the customer itself (the shop's own fleet: logistics mails
#: "out for delivery" with the window and its tracking page), registered in that app's ``ready``
_self_notifying: set[str] = set()


def _normal(carrier: str) -> str:
    return " ".join((carrier or "").lower().split())


def register_self_notifying(carrier: str) -> None:
    """The app delivering with ``carrier`` sends the shipment mail itself: orders' shipped mail is left out."""
    _self_notifying.add(_normal(carrier))


def notifies_itself(carrier: str) -> bool:
    return _normal(carrier) in _self_notifying
