"""``manage.py seed_demo_images``: a picture for every product of the demo shop, drawn with Pillow.

Nothing is downloaded: each picture is a tile tinted by the product's category, a simple shape
standing for the category (a carton for dairy, a loaf for bakery, a bottle for drinks, a phone,
a laptop, headphones, a pan, a chair, a leaf ...) and the product's name and brand. The drawing is
deterministic: it depends on the seed and the product code only. One product in five gets a second
picture (the same product seen from the back: the shape turned and the colours swapped), so the
product page's gallery has something to show.

Only the demo's own products are drawn (codes such as ``DAI-0001``). Each picture goes through the picture service (``product_image_add``): the original (640×480)
and its thumbnails are written to the configured storage, with the row and its event. Idempotent:
a product that already has its pictures is left as it is; a product with fewer gets the missing
ones. ``seed_demo`` runs it after the core's data (``DEMO_STEPS``).
"""

from __future__ import annotations

import colorsys
import io
import random
import time
import unicodedata

from django.core.management.base import BaseCommand
from django.db.models import Count
from PIL import Image, ImageDraw, ImageFont

from commerce import locks
from commerce.catalog import product_images
from commerce.catalog.models import Product
from commerce.demo import add_allow_production_argument, refuse_in_production
from commerce.images import CleanImage

WIDTH, HEIGHT = 640, 480  # as wide as the product page shows it; cards take the 160 and 320 copies
DEFAULT_SEED = 2024

# code prefix: (hue 0-1, shape)
CATEGORY_LOOK = {
    "DAI": (0.58, "carton"), "BAK": (0.08, "loaf"), "FRV": (0.28, "fruit"), "PAN": (0.11, "jar"),
    "DRK": (0.52, "bottle"), "PHN": (0.66, "phone"), "CMP": (0.62, "laptop"), "AUD": (0.76, "headphones"),
    "ACC": (0.70, "cable"), "KIT": (0.02, "pan"), "CLN": (0.47, "spray"), "FUR": (0.09, "chair"),
    "GAR": (0.33, "leaf"),
}

#: the demo's product codes (``DAI-0001``)
DEMO_CODE = r"^(" + "|".join(sorted(CATEGORY_LOOK)) + r")-[0-9]{4}$"


def _colour(hue: float, lightness: float, saturation: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(hue % 1, lightness, saturation)
    return int(r * 255), int(g * 255), int(b * 255)


def _drawable(text: str) -> str:
    """The text without accents ("Crème" -> "Creme"): Pillow's built-in font has ASCII glyphs only."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (AttributeError, TypeError, OSError):  # a Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def _shape(draw: ImageDraw.ImageDraw, shape: str, box: tuple[int, int, int, int], fill, line, rng: random.Random) -> None:
    """One simple drawing standing for the category, inside ``box`` (left, top, right, bottom)."""
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    cx, cy = left + w // 2, top + h // 2
    stroke = {"outline": line, "width": 6}
    if shape == "carton":
        draw.polygon([(cx - w // 5, top + h // 5), (cx, top), (cx + w // 5, top + h // 5)], fill=line)
        draw.rectangle((cx - w // 5, top + h // 5, cx + w // 5, bottom), fill=fill, **stroke)
    elif shape == "loaf":
        draw.ellipse((left, cy - h // 4, right, cy + h // 3), fill=fill, **stroke)
        for i in range(3):
            x = left + w * (i + 1) // 4
            draw.line((x - 20, cy - h // 8, x + 20, cy + h // 8), fill=line, width=6)
    elif shape == "fruit":
        r = min(w, h) // 3
        draw.ellipse((cx - r, cy - r + 20, cx + r, cy + r + 20), fill=fill, **stroke)
        draw.line((cx, cy - r + 20, cx + 10, cy - r - 30), fill=line, width=8)
        draw.ellipse((cx + 10, cy - r - 40, cx + 80, cy - r), fill=_colour(0.3, 0.4, 0.6))
    elif shape == "jar":
        draw.rounded_rectangle((cx - w // 4, top + h // 5, cx + w // 4, bottom), radius=30, fill=fill, **stroke)
        draw.rectangle((cx - w // 5, top + h // 12, cx + w // 5, top + h // 5), fill=line)
    elif shape == "bottle":
        draw.rectangle((cx - w // 14, top, cx + w // 14, top + h // 4), fill=fill, **stroke)
        draw.rounded_rectangle((cx - w // 6, top + h // 4, cx + w // 6, bottom), radius=28, fill=fill, **stroke)
    elif shape == "phone":
        draw.rounded_rectangle((cx - w // 7, top, cx + w // 7, bottom), radius=26, fill=line)
        draw.rectangle((cx - w // 7 + 12, top + 30, cx + w // 7 - 12, bottom - 40), fill=fill)
    elif shape == "laptop":
        draw.rectangle((cx - w // 3, top + h // 8, cx + w // 3, cy + h // 5), fill=fill, **stroke)
        draw.polygon([(cx - w // 3 - 30, cy + h // 5), (cx + w // 3 + 30, cy + h // 5),
                      (cx + w // 3 + 50, cy + h // 5 + 30), (cx - w // 3 - 50, cy + h // 5 + 30)], fill=line)
    elif shape == "headphones":
        r = min(w, h) // 3
        draw.arc((cx - r, cy - r, cx + r, cy + r), 180, 360, fill=line, width=18)
        draw.rounded_rectangle((cx - r - 20, cy - 10, cx - r + 40, cy + 90), radius=18, fill=fill, **stroke)
        draw.rounded_rectangle((cx + r - 40, cy - 10, cx + r + 20, cy + 90), radius=18, fill=fill, **stroke)
    elif shape == "cable":
        points = [(left + w * i // 8, cy + rng.randint(-h // 4, h // 4)) for i in range(9)]
        draw.line(points, fill=line, width=14, joint="curve")
        draw.rectangle((points[-1][0] - 10, points[-1][1] - 20, points[-1][0] + 30, points[-1][1] + 20), fill=fill, **stroke)
    elif shape == "pan":
        r = min(w, h) // 3
        draw.ellipse((cx - r - 60, cy - r, cx + r - 60, cy + r), fill=fill, **stroke)
        draw.rounded_rectangle((cx + r - 70, cy - 14, right, cy + 14), radius=12, fill=line)
    elif shape == "spray":
        draw.rounded_rectangle((cx - w // 7, top + h // 3, cx + w // 7, bottom), radius=20, fill=fill, **stroke)
        draw.polygon([(cx - w // 10, top + h // 3), (cx - w // 10, top + h // 8), (cx + w // 6, top + h // 8),
                      (cx + w // 6, top + h // 5)], fill=line)
    elif shape == "chair":
        draw.rectangle((cx - w // 5, top, cx - w // 5 + 24, bottom), fill=line)
        draw.rectangle((cx - w // 5, cy, cx + w // 5, cy + 30), fill=fill, **stroke)
        draw.rectangle((cx + w // 5 - 24, cy, cx + w // 5, bottom), fill=line)
    else:  # leaf
        draw.ellipse((cx - w // 4, top, cx + w // 4, bottom), fill=fill, **stroke)
        draw.line((cx, top + 10, cx, bottom + 10), fill=line, width=8)


def draw_picture(*, code: str, name: str, brand: str, seed: int, view: int = 0) -> bytes:
    """The demo picture of one product as JPEG bytes (same arguments, same bytes)."""
    rng = random.Random(f"{seed}:{code}:{view}")
    hue, shape = CATEGORY_LOOK.get(code.split("-")[0], (rng.random(), "jar"))
    hue += rng.uniform(-0.03, 0.03)
    background = _colour(hue, 0.90 + rng.uniform(-0.03, 0.03), 0.45)
    fill, line = _colour(hue, 0.62, 0.55), _colour(hue, 0.30, 0.55)
    if view:
        fill, line = line, fill
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 120, WIDTH, HEIGHT), fill=_colour(hue, 0.82, 0.35))
    _shape(draw, shape, (WIDTH // 2 - 140, 40, WIDTH // 2 + 140, HEIGHT - 150), fill, line, rng)
    if view:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        draw = ImageDraw.Draw(image)
    item = name[len(brand):].strip() if name.startswith(brand) else name  # the brand has its own line
    title = _drawable(item if len(item) <= 30 else item[:29] + "...")
    draw.text((WIDTH // 2, HEIGHT - 82), title, fill=_colour(hue, 0.18, 0.5), font=_font(32), anchor="mm")
    draw.text((WIDTH // 2, HEIGHT - 36), _drawable(brand) + (" - back" if view else ""), fill=_colour(hue, 0.32, 0.4),
              font=_font(22), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82, optimize=False)
    return out.getvalue()


def wanted_pictures(code: str) -> int:
    """Every product one picture; one in five (by its number) a second."""
    digits = "".join(ch for ch in code if ch.isdigit())
    return 2 if digits and int(digits) % 5 == 1 else 1


class Command(BaseCommand):
    help = "Draw a picture for every product that has none (deterministic, idempotent; run by seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed (same seed, same pictures).")
        add_allow_production_argument(parser)

    def handle(self, *args, seed: int, allow_production: bool, **options):
        refuse_in_production("seed_demo_images", allow_production=allow_production)
        started = time.monotonic()
        # The demo's products only (codes like DAI-0001): a product staff made keeps no picture it was not given.
        products = (
            Product.objects.filter(code__regex=DEMO_CODE).select_related("manufacturer")
            .annotate(pictures=Count("images")).order_by("code")
        )
        made = 0
        # One transaction for the lot (one commit, not one per picture; each command is still
        # checked against the lock order): all the pictures or none.
        with locks.batch():
            made = self._draw(products, seed)
        elapsed = time.monotonic() - started
        if made:
            self.stdout.write(self.style.SUCCESS(f"Demo pictures drawn in {elapsed:.1f} s: {made} picture{'' if made == 1 else 's'}."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo pictures already present: nothing changed."))

    def _draw(self, products, seed: int) -> int:
        made = 0
        for product in products:
            for view in range(product.pictures, wanted_pictures(product.code)):
                content = draw_picture(code=product.code, name=product.name, brand=product.manufacturer.name, seed=seed, view=view)
                # Drawn here, so already what clean_image makes: a JPEG without metadata.
                picture = CleanImage(content=content, format="JPEG", width=WIDTH, height=HEIGHT)
                product_images.product_image_add(
                    product=product.pk, picture=picture,
                    alt_text=f"Drawing of {product.name}{', from the back' if view else ''}",
                )
                made += 1
        return made
