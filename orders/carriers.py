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
