"""``{% product_picture image sizes=... %}``: one responsive ``<img>`` of a product picture.

It carries ``srcset`` (every stored size), ``sizes`` (how wide the page shows it), ``width`` and
``height`` (so the browser keeps the place before the file arrives: no layout shift),
``loading`` (lazy unless asked otherwise: the first picture of a product page is not) and
``decoding="async"``. ``src`` is the size nearest ``width`` for browsers without ``srcset``.
"""

from django import template

register = template.Library()


@register.inclusion_tag("catalog/_picture.html")
def product_picture(image, *, sizes: str, width: int = 320, loading: str = "lazy", alt=None, priority: bool = False):
    src = image.rendition(width)
    return {
        "src": src["url"],
        "srcset": image.srcset(),
        "sizes": sizes,
        "width": src["width"],
        "height": src["height"],
        "alt": image.alt_text if alt is None else alt,
        "loading": "eager" if priority else loading,
        "priority": priority,
    }
