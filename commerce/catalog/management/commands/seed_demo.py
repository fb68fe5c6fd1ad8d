"""``manage.py seed_demo``: a realistic demo shop, through the services, in seconds.

A category tree (Groceries, Electronics, Home), twenty manufacturers with official content, a few
hundred products (perishable dairy, bakery, fruit and vegetables with expiry dates, some near
expiry and one batch expired; everything else in FIFO batches), staff in every group, a superuser,
sales regions and customers with addresses around Lyon.

Deterministic (``random.Random(seed)``) and idempotent: every record is looked up by its natural
key (slug, code, batch number, user name) first, so a second run creates nothing and says so.
Dates are relative to today, so the demo always has batches near expiry. When the promotions app is
installed, ``seed_demo_promotions`` then creates demo promotions, and when the orders app is,
``seed_demo_orders`` places demo orders through the order services (carrying those promotions).
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from commerce.accounts import access
from commerce.accounts import services as account_services
from commerce.accounts.models import SalesRegion, User
from commerce.catalog import inventory, services
from commerce.catalog.models import Category, Manufacturer, Product, StockBatch
from commerce.demo import (
    DEMO_PASSWORD,
    QuickDemoHasher,
    add_allow_production_argument,
    demo_password,
    quick_demo_hashing,
    refuse_in_production,
)
from commerce.money import Money

__all__ = ["DEMO_PASSWORD", "QuickDemoHasher", "Command"]  # the benches hash as seeding does

DEFAULT_SEED = 2024
DEFAULT_PRODUCTS = 300
DEFAULT_CUSTOMERS = 40


# --- the shop's shape ----------------------------------------------------------------------------
# leaf: (parent, name, slug, code prefix, perishable, shelf life days (min, max), brands, description)
LEAVES = [
    ("Groceries", "Dairy", "dairy", "DAI", True, (9, 30), ["Laiterie des Monts", "Fromagerie Beaujolaise", "Ferme du Pilat"],
     "Milk, yoghurts, butter and cheese from farms around Lyon."),
    ("Groceries", "Bakery", "bakery", "BAK", True, (2, 5), ["Boulangerie Saint-Jean", "Maison Pain Doré", "Ferme du Pilat"],
     "Bread and pastries baked every morning."),
    ("Groceries", "Fruit & Veg", "fruit-veg", "FRV", True, (5, 16), ["Vergers du Rhône", "Potager Lyonnais", "Ferme du Pilat"],
     "Seasonal fruit and vegetables from the Rhône valley."),
    ("Groceries", "Pantry", "pantry", "PAN", False, None, ["Épicerie Fine Bellecour", "Moulin de Saône", "Potager Lyonnais"],
     "Pasta, rice, pulses, oils and everything that keeps."),
    ("Groceries", "Drinks", "drinks", "DRK", False, None, ["Sources des Alpes", "Brasserie Croix-Rousse", "Vergers du Rhône"],
     "Water, juices, soft drinks and local beers."),
    ("Electronics", "Phones & Tablets", "phones-tablets", "PHN", False, None, ["Pixelia", "Voltix", "NordTech"],
     "Smartphones, tablets and e-readers."),
    ("Electronics", "Computers", "computers", "CMP", False, None, ["NordTech", "Voltix", "Kabel & Co"],
     "Laptops, desktops, monitors and peripherals."),
    ("Electronics", "Audio", "audio", "AUD", False, None, ["Sonora Audio", "Pixelia", "Voltix"],
     "Headphones, speakers and hi-fi."),
    ("Electronics", "Accessories", "electronics-accessories", "ACC", False, None, ["Kabel & Co", "Voltix", "Sonora Audio"],
     "Cables, chargers, cases and memory cards."),
    ("Home", "Kitchen", "kitchen", "KIT", False, None, ["Cuisine Atelier", "Maison Lumière", "Bois & Forme"],
     "Cookware, knives and small appliances."),
    ("Home", "Cleaning", "cleaning", "CLN", False, None, ["Clair Net", "Maison Lumière", "Jardin Vert"],
     "Detergents, cloths and cleaning tools."),
    ("Home", "Furniture", "furniture", "FUR", False, None, ["Bois & Forme", "Maison Lumière", "Cuisine Atelier"],
     "Shelves, desks, chairs and tables."),
    ("Home", "Garden", "garden", "GAR", False, None, ["Jardin Vert", "Bois & Forme", "Clair Net"],
     "Tools, soil, seeds and garden furniture."),
]
ROOTS = {
    "Groceries": ("groceries", "Fresh food and pantry staples, delivered the same day."),
    "Electronics": ("electronics", "Phones, computers, audio and accessories."),
    "Home": ("home", "Kitchen, cleaning, furniture and garden."),
}

# item: (name, price in cents, weight kg, volume l)
ITEMS = {
    "DAI": [("Whole milk 1 L", 119, "1.05", "1"), ("Semi-skimmed milk 1 L", 109, "1.05", "1"),
            ("Plain yoghurt 4 x 125 g", 189, "0.52", "0.6"), ("Greek yoghurt 500 g", 259, "0.52", "0.55"),
            ("Butter 250 g", 289, "0.26", "0.3"), ("Crème fraîche 200 ml", 169, "0.21", "0.25"),
            ("Comté 18 months 250 g", 629, "0.26", "0.3"), ("Fresh goat cheese 150 g", 329, "0.16", "0.2"),
            ("Fromage blanc 500 g", 219, "0.52", "0.55"), ("Saint-Marcellin", 279, "0.09", "0.15"),
            ("Grated Emmental 200 g", 239, "0.21", "0.4"), ("Kefir 1 L", 299, "1.05", "1")],
    "BAK": [("Baguette tradition", 129, "0.25", "1.2"), ("Sourdough loaf 800 g", 449, "0.8", "2.5"),
            ("Croissants x 4", 399, "0.24", "1.5"), ("Pains au chocolat x 4", 429, "0.28", "1.5"),
            ("Brioche 400 g", 379, "0.4", "2"), ("Rye bread 500 g", 349, "0.5", "1.5"),
            ("Wholemeal sandwich loaf", 279, "0.55", "2"), ("Praline tart", 1290, "0.6", "2.5"),
            ("Fougasse with olives", 329, "0.3", "1.5"), ("Pains aux raisins x 2", 299, "0.2", "1")],
    "FRV": [("Apples 1 kg", 289, "1", "2"), ("Pears 1 kg", 329, "1", "2"), ("Bananas 1 kg", 219, "1", "2.5"),
            ("Strawberries 500 g", 449, "0.5", "1.2"), ("Vine tomatoes 1 kg", 389, "1", "2"),
            ("Carrots 1 kg", 169, "1", "1.5"), ("Butterhead lettuce", 129, "0.35", "2.5"),
            ("Potatoes 2.5 kg", 399, "2.5", "3.5"), ("Courgettes 1 kg", 299, "1", "2"),
            ("Lemons 500 g", 249, "0.5", "1"), ("Cherries 500 g", 599, "0.5", "1"), ("Onions 1 kg", 199, "1", "1.5")],
    "PAN": [("Spaghetti 500 g", 139, "0.5", "0.8"), ("Penne 500 g", 139, "0.5", "1"), ("Basmati rice 1 kg", 349, "1", "1.3"),
            ("Green lentils 500 g", 229, "0.5", "0.6"), ("Olive oil 75 cl", 899, "0.95", "0.8"),
            ("Tomato sauce 400 g", 189, "0.45", "0.4"), ("Chickpeas 400 g", 129, "0.45", "0.4"),
            ("Wheat flour T55 1 kg", 119, "1", "1.2"), ("Cane sugar 1 kg", 249, "1", "1"),
            ("Dark chocolate 70% 100 g", 219, "0.1", "0.15"), ("Coffee beans 1 kg", 1590, "1", "2.5"),
            ("Black tea 100 bags", 549, "0.2", "0.8")],
    "DRK": [("Still water 6 x 1.5 L", 349, "9.2", "9.5"), ("Sparkling water 1 L", 89, "1.05", "1.1"),
            ("Orange juice 1 L", 299, "1.05", "1.1"), ("Apple juice 1 L", 269, "1.05", "1.1"),
            ("Lemonade 75 cl", 249, "0.9", "0.8"), ("Craft IPA 33 cl", 279, "0.55", "0.4"),
            ("Blonde ale 6 x 25 cl", 599, "2.4", "2"), ("Cola 1.5 L", 219, "1.55", "1.6"),
            ("Iced tea 1.5 L", 199, "1.55", "1.6"), ("Red grape juice 1 L", 329, "1.05", "1.1")],
    "PHN": [("Smartphone 6.1\" 128 GB", 49900, "0.19", "0.3"), ("Smartphone 6.7\" 256 GB", 79900, "0.22", "0.35"),
            ("Tablet 10\" 64 GB", 32900, "0.48", "1"), ("Tablet 11\" 256 GB", 64900, "0.5", "1"),
            ("E-reader 6\"", 12900, "0.18", "0.4"), ("Rugged phone 128 GB", 38900, "0.3", "0.4")],
    "CMP": [("Laptop 14\" 16 GB", 99900, "1.4", "4"), ("Laptop 16\" 32 GB", 159900, "2.1", "5.5"),
            ("Mini PC", 54900, "0.7", "2"), ("Monitor 27\" QHD", 29900, "6.1", "35"), ("Monitor 24\" FHD", 15900, "4.2", "25"),
            ("Mechanical keyboard", 8900, "0.9", "3"), ("Wireless mouse", 2990, "0.1", "0.5"), ("HD webcam", 4990, "0.15", "0.6")],
    "AUD": [("Wireless earbuds", 9900, "0.06", "0.3"), ("Noise-cancelling headphones", 24900, "0.3", "2.5"),
            ("Bluetooth speaker", 7900, "0.6", "1.2"), ("Soundbar", 29900, "3.2", "12"), ("Turntable", 34900, "5.5", "25"),
            ("Portable DAB radio", 5990, "0.5", "1.5")],
    "ACC": [("USB-C cable 1 m", 1290, "0.04", "0.1"), ("USB-C charger 65 W", 3990, "0.15", "0.3"),
            ("Power bank 10000 mAh", 2990, "0.22", "0.3"), ("Phone case", 1990, "0.04", "0.2"),
            ("Screen protector", 1490, "0.03", "0.1"), ("HDMI cable 2 m", 1490, "0.1", "0.2"),
            ("SD card 128 GB", 1990, "0.01", "0.05"), ("Laptop sleeve 14\"", 2490, "0.25", "1.5")],
    "KIT": [("Chef's knife 20 cm", 6990, "0.25", "0.6"), ("Non-stick frying pan 28 cm", 3990, "1.1", "4"),
            ("Cast-iron casserole 24 cm", 14900, "5.1", "8"), ("Electric kettle 1.7 L", 3490, "1.2", "5"),
            ("Toaster 2 slots", 3990, "1.6", "6"), ("Coffee grinder", 4990, "1.1", "3"),
            ("Oak cutting board", 2990, "1.4", "2.5"), ("Mixing bowls set of 3", 2490, "1.3", "6")],
    "CLN": [("Dish soap 500 ml", 249, "0.55", "0.55"), ("Laundry detergent 2 L", 899, "2.1", "2.2"),
            ("Multi-surface spray 750 ml", 349, "0.8", "0.9"), ("Microfibre cloths x 6", 799, "0.2", "0.8"),
            ("Sponges x 10", 399, "0.15", "1.5"), ("Floor cleaner 1 L", 399, "1.05", "1.1"),
            ("Dishwasher tablets x 40", 1190, "0.8", "1.5")],
    "FUR": [("Bookshelf 5 shelves", 12900, "28", "180"), ("Desk 120 cm", 17900, "32", "150"), ("Office chair", 21900, "16", "250"),
            ("Bedside table", 6900, "9", "60"), ("Dining chair", 7900, "6", "120"), ("Coffee table", 11900, "18", "110")],
    "GAR": [("Garden hose 25 m", 3990, "3.1", "12"), ("Pruning shears", 2490, "0.3", "0.5"), ("Potting soil 40 L", 999, "18", "40"),
            ("Watering can 10 L", 1490, "0.8", "12"), ("Folding garden chair", 4990, "4.5", "60"),
            ("Tomato seeds heirloom mix", 349, "0.02", "0.05")],
}

MANUFACTURER_CITIES = {
    "Laiterie des Monts": "Saint-Étienne", "Fromagerie Beaujolaise": "Villefranche-sur-Saône", "Ferme du Pilat": "Pélussin",
    "Boulangerie Saint-Jean": "Lyon", "Maison Pain Doré": "Lyon", "Vergers du Rhône": "Valence", "Potager Lyonnais": "Lyon",
    "Épicerie Fine Bellecour": "Lyon", "Moulin de Saône": "Mâcon", "Sources des Alpes": "Évian", "Brasserie Croix-Rousse": "Lyon",
    "Pixelia": "Grenoble", "Voltix": "Lyon", "NordTech": "Lille", "Sonora Audio": "Paris", "Kabel & Co": "Strasbourg",
    "Cuisine Atelier": "Thiers", "Maison Lumière": "Lyon", "Clair Net": "Annecy", "Bois & Forme": "Besançon",
    "Jardin Vert": "Angers",
}

REGIONS = [("lyon-centre", "Lyon Centre"), ("lyon-north", "Lyon North"), ("lyon-south", "Lyon South"), ("lyon-east", "Lyon East")]
# area: (city, zip, latitude, longitude, region code); coordinates in millionths of a degree (no floats)
AREAS = [
    ("Lyon", "69001", 45767300, 4834000, "lyon-centre"), ("Lyon", "69002", 45754000, 4827400, "lyon-centre"),
    ("Lyon", "69003", 45759700, 4861600, "lyon-east"), ("Lyon", "69004", 45778900, 4827500, "lyon-north"),
    ("Lyon", "69005", 45758000, 4803000, "lyon-centre"), ("Lyon", "69006", 45769300, 4851500, "lyon-centre"),
    ("Lyon", "69007", 45737200, 4840400, "lyon-south"), ("Lyon", "69008", 45735100, 4868300, "lyon-south"),
    ("Lyon", "69009", 45776800, 4805600, "lyon-north"), ("Villeurbanne", "69100", 45771900, 4880000, "lyon-east"),
    ("Caluire-et-Cuire", "69300", 45795400, 4846300, "lyon-north"), ("Vénissieux", "69200", 45697600, 4886700, "lyon-south"),
    ("Bron", "69500", 45738600, 4913100, "lyon-east"),
]
STREETS = [
    "Rue de la République", "Rue Victor Hugo", "Avenue Jean Jaurès", "Cours Lafayette", "Rue Garibaldi",
    "Boulevard des Belges", "Rue Paul Bert", "Avenue Berthelot", "Rue Marietton", "Grande Rue de la Croix-Rousse",
    "Rue Mercière", "Quai Saint-Antoine", "Rue Duguesclin", "Avenue Thiers", "Rue de Créqui", "Cours Émile Zola",
    "Avenue Franklin Roosevelt", "Rue du Professeur Beauvisage", "Rue Saint-Georges", "Montée de la Grande Côte",
    "Rue Sully", "Avenue Félix Faure", "Rue Bossuet", "Rue de Gerland",
]
FIRST_NAMES = [
    "Alice", "Bruno", "Camille", "David", "Emma", "Farid", "Gabrielle", "Hugo", "Inès", "Julien", "Karima", "Louis",
    "Manon", "Nicolas", "Océane", "Paul", "Quentin", "Rose", "Samir", "Théo", "Ulysse", "Valentine", "William", "Yasmine",
]
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefebvre", "Michel", "Garcia", "Roux", "Fournier", "Girard", "Bonnet", "Dupont",
]
# staff: (username, first name, last name, groups, sales region codes, role)
STAFF = [
    ("merchandiser", "Marie", "Chevalier", [access.MERCHANDISERS], [], "Merchandisers: catalog, stock, recalls, promotions"),
    ("dispatcher", "Daniel", "Fabre", [access.DISPATCHERS], [], "Dispatchers: fulfilment, delivery routes and the dispatch console"),
    ("support", "Sophie", "Mercier", [access.SUPPORT], [], "Support: customers, all orders, refunds, recalls"),
    ("sales-north", "Nadia", "Blanc", [access.SALES], ["lyon-north", "lyon-centre"], "Sales: orders of Lyon North and Centre"),
    ("sales-south", "Simon", "Garnier", [access.SALES], ["lyon-south", "lyon-east"], "Sales: orders of Lyon South and East"),
]


def _ascii(text: str) -> str:
    table = str.maketrans("àâäéèêëîïôöùûüçÉÈ", "aaaeeeeiioouuucEE")
    return text.translate(table)


@dataclass
class Tally:
    created: dict = field(default_factory=dict)
    existing: dict = field(default_factory=dict)

    def add(self, kind: str, created: bool) -> None:
        target = self.created if created else self.existing
        target[kind] = target.get(kind, 0) + 1

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


@dataclass
class Account:
    username: str
    role: str


#: What the demo's home page features (a merchandiser changes it in the admin).
FEATURED_CATEGORIES = ("dairy", "bakery", "phones-tablets", "kitchen")
FEATURED_AISLES = ("DAI", "BAK", "FRV", "DRK", "PHN", "AUD", "KIT", "GAR")

#: The apps' demo commands after the core's data: (app, command, the options it takes), in order.
#: The product pictures first (the core's own, drawn outside the big transaction, as each picture
#: is a command of its own).
#: Promotions first so that the demo orders carry them; segments (VIP, lapsing, ...) are computed
#: from the demo orders (after every step that adds users). A new app adds its line here.
DEMO_STEPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("commerce.catalog", "seed_demo_images", ("seed", "allow_production")),
    ("promotions", "seed_demo_promotions", ("allow_production",)),
    ("orders", "seed_demo_orders", ("seed", "allow_production")),
    ("commerce.catalog", "seed_demo_stock_alerts", ("allow_production",)),
    ("recommendations", "seed_demo_questions", ("allow_production",)),
    ("logistics", "seed_demo_logistics", ("allow_production",)),
    ("logistics", "seed_demo_deliveries", ("allow_production",)),
    ("promotions", "refresh_segments", ()),
    ("recommendations", "seed_demo_reviews", ("seed", "allow_production")),
    ("recommendations", "seed_demo_review_requests", ("allow_production",)),
    ("recommendations", "seed_demo_placements", ("seed", "allow_production")),
    ("recommendations", "seed_demo_recommender", ("allow_production",)),
    ("recommendations", "seed_demo_experiments", ("seed", "allow_production")),
    # the KPI read models from every event so far (the demo reviews' delivery stars included: their
    # reactions are paused while seeding)
    ("logistics", "logistics_kpis_rebuild", ()),
]


class Command(BaseCommand):
    help = "Fill the database with a realistic demo shop (idempotent, deterministic, through the services)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed (same seed, same shop).")
        parser.add_argument("--products", type=int, default=DEFAULT_PRODUCTS, help="How many products (up to 333).")
        parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS, help="How many customers (up to 480).")
        parser.add_argument(
            "--base-url", default=None,
            help="Where the shop runs, to print its URLs (none printed without it: only the caller knows the port).",
        )
        add_allow_production_argument(parser)

    def handle(self, *args, seed, products, customers, base_url, allow_production, **options):
        refuse_in_production("seed_demo", allow_production=allow_production)
        started = time.monotonic()
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.tally = Tally()
        self.accounts: list[Account] = []
        self.password = demo_password()
        with quick_demo_hashing(), transaction.atomic():
            regions = self._regions()
            self._staff(regions)
            categories = self._categories()
            makers = self._manufacturers()
            self._products(categories, makers, products)
            self._customers(regions, customers)
            self._featured()
        elapsed = time.monotonic() - started
        self._report(elapsed, base_url)
        # Each app's demo data belongs to that app, which the core never imports: its commands are
        # asked for by name, in DEMO_STEPS order.
        for app, command, takes in DEMO_STEPS:
            if apps.is_installed(app):
                self.stdout.write("")
                given = {"seed": seed, "allow_production": allow_production}
                call_command(command, stdout=self.stdout, **{name: given[name] for name in takes})

    # --- the home page ---------------------------------------------------------------------------
    def _featured(self) -> None:
        """Four featured categories and one featured product from each of eight aisles, as a
        merchandiser sets them in the admin (through the services). Only while none is featured:
        what a merchandiser changed later stays."""
        if Category.objects.filter(is_featured=True).exists() or Product.objects.filter(is_featured=True).exists():
            return
        for category in Category.objects.filter(slug__in=FEATURED_CATEGORIES).order_by("id"):
            services.category_update(category=category, data={"is_featured": True})
            self.tally.add("featured categories", True)
        chosen = [Product.objects.filter(code__startswith=f"{prefix}-", is_active=True).order_by("code").first()
                  for prefix in FEATURED_AISLES]
        for product in sorted(filter(None, chosen), key=lambda p: p.pk):  # locked in id order, as one batch must
            services.product_update(product=product, data={"is_featured": True})
            self.tally.add("featured products", True)

    # --- reference data --------------------------------------------------------------------------
    def _regions(self) -> dict[str, SalesRegion]:
        regions = {}
        for code, name in REGIONS:
            region = SalesRegion.objects.filter(code=code).first()
            self.tally.add("sales regions", region is None)
            if region is None:
                region = account_services.sales_region_save(code=code, name=name)
            regions[code] = region
        return regions

    def _staff(self, regions) -> None:
        admin = User.objects.filter(username="admin").first()
        self.tally.add("staff", admin is None)
        if admin is None:
            User.objects.create_superuser("admin", "admin@shop.example", self.password, first_name="Ada", last_name="Admin")
        self.accounts.append(Account("admin", "superuser: everything, including the event browser"))
        for username, first, last, groups, region_codes, role in STAFF:
            user = User.objects.filter(username=username).first()
            self.tally.add("staff", user is None)
            if user is None:
                user = User.objects.create_user(
                    username, f"{username}@shop.example", self.password, first_name=first, last_name=last, is_staff=True
                )
                user.groups.set(Group.objects.filter(name__in=groups))
                user.sales_regions.set([regions[c] for c in region_codes])
            self.accounts.append(Account(username, role))

    def _categories(self) -> dict[str, Category]:
        by_slug = {c.slug: c for c in Category.objects.all()}
        result = {}

        def ensure(name, slug, parent, description):
            category = by_slug.get(slug)
            self.tally.add("categories", category is None)
            if category is None:
                category = services.category_create(name=name, slug=slug, parent=parent, description=description)
                by_slug[slug] = category
            return category

        for root_name, (slug, description) in ROOTS.items():
            result[root_name] = ensure(root_name, slug, None, description)
        for parent, name, slug, prefix, *_rest, description in LEAVES:
            result[prefix] = ensure(name, slug, Category.objects.get(pk=result[parent].pk), description)
        return result

    def _manufacturers(self) -> dict[str, Manufacturer]:
        names = sorted({brand for leaf in LEAVES for brand in leaf[6]})
        existing = {m.name: m for m in Manufacturer.objects.filter(name__in=names)}
        result = {}
        for name in names:
            # Draw before looking: the random sequence must not depend on what already exists.
            phone = "+33 4 " + " ".join(str(self.rng.randint(10, 99)) for _ in range(4))
            maker = existing.get(name)
            self.tally.add("manufacturers", maker is None)
            if maker is None:
                domain = _ascii(name).lower().replace(" & ", "-").replace(" ", "-").replace("'", "")
                city = MANUFACTURER_CITIES[name]
                maker = services.manufacturer_create(
                    name=name,
                    description=f"{name} makes its products in {city}. Official product information, care instructions "
                    f"and warranty terms are published by {name}.",
                    website=f"https://www.{domain}.example",
                    support_email=f"support@{domain}.example",
                    support_phone=phone,
                )
            result[name] = maker
        return result

    # --- products and stock ----------------------------------------------------------------------
    def _product_plan(self, count: int) -> list[dict]:
        """Every (brand, leaf, item) in a fixed order: brand 1 of every leaf first, so all leaves fill."""
        plan, numbers = [], {}
        for brand_index in range(3):
            for _parent, _name, _slug, prefix, perishable, shelf, brands, _d in LEAVES:
                for item, cents, weight, volume in ITEMS[prefix]:
                    numbers[prefix] = numbers.get(prefix, 0) + 1
                    plan.append({
                        "code": f"{prefix}-{numbers[prefix]:04d}", "prefix": prefix, "brand": brands[brand_index],
                        "item": item, "cents": cents, "weight": weight, "volume": volume,
                        "perishable": perishable, "shelf": shelf, "brand_index": brand_index,
                    })
        return plan[:count]

    def _products(self, categories, makers, count: int) -> None:
        plan = self._product_plan(count)
        existing = {p.code: p for p in Product.objects.filter(code__in=[p["code"] for p in plan])}
        existing_batches = set(StockBatch.objects.filter(product__code__in=[p["code"] for p in plan]).values_list("batch_number", flat=True))
        expired_done, receipts = False, []
        for entry in plan:
            rng = self.rng  # every draw happens whether or not the row exists: the plan never shifts
            factor = (100, 112, 93)[entry["brand_index"]] + rng.randint(-6, 6)
            cents = max(entry["cents"] * factor // 100 // 10 * 10 + 9, 9)
            active = rng.random() >= 0.01
            product = existing.get(entry["code"])
            self.tally.add("products", product is None)
            if product is None:
                product = services.product_create(
                    code=entry["code"],
                    name=f"{entry['brand']} {entry['item']}",
                    category=categories[entry["prefix"]],
                    manufacturer=makers[entry["brand"]],
                    price=Money.of(Decimal(cents) / 100, "EUR"),
                    description=f"{entry['item']} by {entry['brand']}. {categories[entry['prefix']].description}",
                    is_active=active,
                    is_perishable=entry["perishable"],
                    weight_kg=Decimal(entry["weight"]),
                    volume_l=Decimal(entry["volume"]),
                )
            for batch in self._batch_plan(entry, expire_one=not expired_done):
                expired_done = expired_done or batch["expires_on"] is not None and batch["expires_on"] <= self.today
                self.tally.add("stock batches", batch["batch_number"] not in existing_batches)
                if batch["batch_number"] not in existing_batches:
                    receipts.append(inventory.ReceiptLine(product=product, **batch))
        if receipts:
            # One delivery for the whole warehouse: the same rules as stock_receive, written in bulk.
            inventory.stock_receive_many(lines=receipts, reason="demo data")

    def _batch_plan(self, entry: dict, *, expire_one: bool) -> list[dict]:
        rng, today = self.rng, self.today
        out_of_stock = rng.random() < 0.04
        location = "NORTH" if rng.random() < 0.2 else "MAIN"
        batches = []
        if entry["perishable"]:
            low, high = entry["shelf"]
            for index in range(rng.choice((1, 2, 2))):
                received = today - datetime.timedelta(days=rng.randint(0, low - 1) + index)
                expires = max(received + datetime.timedelta(days=rng.randint(low, high)), today + datetime.timedelta(days=1))
                batches.append({"received_at": received, "expires_on": expires, "quantity": rng.randint(12, 80)})
            if expire_one:  # one batch past its date, still on the shelf: never sold, shown in Admin
                batches.append({"received_at": today - datetime.timedelta(days=high + 4),
                                "expires_on": today - datetime.timedelta(days=2), "quantity": rng.randint(3, 9)})
        else:
            big = entry["prefix"] in {"PHN", "CMP", "AUD", "FUR", "KIT"}
            for _ in range(rng.choice((1, 1, 2, 3))):
                quantity = rng.randint(2, 25) if big else rng.randint(10, 150)
                batches.append({"received_at": today - datetime.timedelta(days=rng.randint(3, 150)),
                                "expires_on": None, "quantity": quantity})
        batches.sort(key=lambda b: b["received_at"])
        if out_of_stock and not (expire_one and entry["perishable"]):
            return []
        return [{**b, "batch_number": f"{entry['code']}-L{i}", "location": location} for i, b in enumerate(batches, start=1)]

    # --- customers -------------------------------------------------------------------------------
    def _customers(self, regions, count: int) -> None:
        rng = self.rng
        people = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
        chosen = rng.sample(people, min(count, len(people)))
        usernames = [f"{_ascii(first)}.{_ascii(last)}".lower() for first, last in chosen]
        existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        for (first, last), username in zip(chosen, usernames, strict=True):
            homes = [self._address_plan(rng, "Home")]
            if rng.random() < 0.3:
                homes.append(self._address_plan(rng, "Work"))
            region = regions[homes[0].pop("region")]
            for extra in homes[1:]:
                extra.pop("region")
            self.tally.add("customers", username not in existing)
            if username not in existing:
                customer = account_services.customer_register(
                    username=username, password=self.password, email=f"{username}@example.com",
                    first_name=first, last_name=last, sales_region=region,
                )
                for address in homes:
                    account_services.address_create(customer=customer, recipient=f"{first} {last}", **address)
                    self.tally.add("addresses", True)
            self.accounts.append(Account(username, f"customer, {region.name}"))

    @staticmethod
    def _address_plan(rng: random.Random, label: str) -> dict:
        city, zip_code, lat, lon, region = rng.choice(AREAS)
        micro = Decimal(1_000_000)
        return {
            "label": label,
            "street": f"{rng.randint(1, 140)} {rng.choice(STREETS)}",
            "city": city,
            "zip_code": zip_code,
            "country": "FR",
            "latitude": (Decimal(lat + rng.randint(-6000, 6000)) / micro).quantize(Decimal("0.000001")),
            "longitude": (Decimal(lon + rng.randint(-8000, 8000)) / micro).quantize(Decimal("0.000001")),
            "region": region,
        }

    # --- the report ------------------------------------------------------------------------------
    def _report(self, elapsed: float, base_url: str | None) -> None:
        out, style = self.stdout, self.style
        if self.tally.total_created == 0:
            out.write(style.SUCCESS(f"Demo data already present: nothing changed ({elapsed:.1f} s)."))
        else:
            made = ", ".join(f"{n} {kind}" for kind, n in self.tally.created.items())
            out.write(style.SUCCESS(f"Demo shop seeded in {elapsed:.1f} s: {made}."))
            if self.tally.existing:
                kept = ", ".join(f"{n} {kind}" for kind, n in self.tally.existing.items())
                out.write(f"Already there and left as they were: {kept}.")
        width = max(len(a.username) for a in self.accounts) + 2
        out.write("")
        password = self.password
        if settings.PRODUCTION:
            # Never a known password here: a random one, shown once, and only if accounts were made with it.
            made = self.tally.created.get("staff", 0) + self.tally.created.get("customers", 0)
            if made:
                out.write(style.WARNING(
                    f"Production settings: the {made} accounts created now share a random password, "
                    f"shown only this once: {password}"
                ))
            else:
                password = "(unchanged)"  # noqa: S105 (a label, not a password)
        out.write(f"Log-in names (password for every account created now: {password}):")
        column = max(16, len(password) + 2)
        out.write(f"  {'USER NAME'.ljust(width)}{'PASSWORD'.ljust(column)}ROLE")
        for account in self.accounts:
            out.write(f"  {account.username.ljust(width)}{password.ljust(column)}{account.role}")
        out.write("  (an account that existed before seeding keeps its own password)")
        if base_url:
            out.write("")
            out.write("URLs:")
            for label, path in (("Shop", "/"), ("Admin", "/admin/"), ("API docs", "/api/docs/"), ("API", "/api/v1/")):
                out.write(f"  {label.ljust(10)}{base_url.rstrip('/')}{path}")
