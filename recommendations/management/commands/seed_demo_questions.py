"""``manage.py seed_demo_questions``: demo product questions, answers, votes and official content, through the services.

What it makes (once the demo shop's customers, staff and delivered orders exist):

* four FAQ categories;
* a manufacturer representative (``maker-rep``, the demo password) for the maker of a product
  customers received;
* official content: a warranty and a company block on the pages of a few manufacturers, and care
  instructions on one product of each;
* questions on products customers received, approved by Support (``support``), answered by the
  shop, by the representative and by the verified buyers (approved), voted on by other customers,
  some answers verified; and, for the moderation queue, two pending questions (one the spam screen
  flags) and a rejected one.

``seed_demo`` runs it after ``seed_demo_orders``. Idempotent: when the demo categories exist it
changes nothing and says so.
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from commerce import locks
from commerce.accounts import access
from commerce.catalog.models import Manufacturer, Product
from commerce.demo import add_allow_production_argument, demo_password, refuse_in_production
from orders import selectors as order_selectors
from recommendations import services
from recommendations.models import FAQCategory

CATEGORIES = [("Use and preparation", "use"), ("Storage and keeping", "storage"), ("Ingredients and allergens", "allergens"),
              ("Delivery and packaging", "delivery")]
MARKER = "storage"  # the slug whose presence means the demo questions exist
QUESTIONS = [
    ("storage", "How long does it keep once opened?", "Up to five days in the fridge, closed tightly."),
    ("allergens", "Is it produced in a facility that also handles nuts?", "Yes: traces of nuts are possible."),
    ("use", "Can I freeze it?", "Yes, for up to three months; thaw it slowly in the fridge."),
    ("delivery", "Does it travel well in summer?", "It ships in an insulated box with cold packs from May to September."),
    ("use", "Is it good for cooking or only to eat as it is?", "Both: it holds well in the oven."),
    ("allergens", "Is it suitable for vegetarians?", "Yes, no animal rennet or gelatine is used."),
]
BUYER_ANSWERS = ["Mine kept well for a week.", "We use it every weekend, no problem.", "Arrived cold and in perfect shape."]


class Command(BaseCommand):
    help = "Create demo questions, answers, votes and official content through the services (idempotent; run by seed_demo)."

    def add_arguments(self, parser):
        add_allow_production_argument(parser)

    def handle(self, *args, allow_production, **options):
        refuse_in_production("seed_demo_questions", allow_production=allow_production)
        started = time.monotonic()
        if FAQCategory.objects.filter(slug=MARKER).exists():
            self.stdout.write(self.style.SUCCESS("Demo questions already present: nothing changed."))
            return
        User = get_user_model()
        support = User.objects.filter(username="support", is_staff=True).first()
        if support is None:
            raise CommandError("Run seed_demo first: the Support user 'support' moderates the demo questions.")
        with locks.batch():
            made = self._seed(User, support)
        self.stdout.write(self.style.SUCCESS(
            f"Demo questions created in {time.monotonic() - started:.1f} s: {made['questions']} questions, "
            f"{made['answers']} answers, {made['votes']} votes, {made['content']} official content blocks; "
            f"representative log-in: maker-rep."
        ))

    def _seed(self, User, support) -> dict:
        made = {"questions": 0, "answers": 0, "votes": 0, "content": 0}
        categories = {slug: services.faq_category_save(moderator=support, name=name, slug=slug, position=n)
                      for n, (name, slug) in enumerate(CATEGORIES)}
        customers = list(User.objects.filter(groups__name=access.CUSTOMERS, is_active=True).order_by("username")[:40])
        purchases = order_selectors.received_purchases(limit=len(QUESTIONS)) if len(customers) >= 2 else []
        products = Product.objects.in_bulk([product_id for _customer, product_id in purchases])
        rep = None
        if purchases:
            rep = User.objects.create_user("maker-rep", "maker-rep@shop.example", demo_password(), first_name="Marc")
            services.representative_add(manufacturer_id=products[purchases[0][1]].manufacturer_id, user_id=rep.pk)
        made["content"] = self._content(products.values())
        for n, (buyer_id, product_id) in enumerate(purchases):
            product = products[product_id]
            slug, text, official = QUESTIONS[n % len(QUESTIONS)]
            asker = customers[(n * 7 + 3) % len(customers)]
            if asker.pk == buyer_id:
                asker = customers[(n * 7 + 4) % len(customers)]
            question = services.question_ask(customer=asker, product_id=product.pk, text=text, category_id=categories[slug].pk)
            services.question_approve(question_id=question.pk, moderator=support)
            made["questions"] += 1
            answers = []
            if rep is not None and product.manufacturer_id == products[purchases[0][1]].manufacturer_id:
                answers.append(services.answer_create(question_id=question.pk, author=rep, text=f"From the maker: {official}"))
            else:
                answers.append(services.answer_create(question_id=question.pk, author=support, text=official))
            buyer = User.objects.get(pk=buyer_id)
            if buyer.pk != asker.pk:
                answer = services.answer_create(question_id=question.pk, author=buyer, text=BUYER_ANSWERS[n % len(BUYER_ANSWERS)])
                services.answer_approve(answer_id=answer.pk, moderator=support)
                answers.append(answer)
            if n % 2 == 0:
                services.answer_verify(answer_id=answers[0].pk, moderator=support)
            made["answers"] += len(answers)
            for k, answer in enumerate(answers):
                start = (n * 5 + k * 3) % len(customers)
                voters = [c for c in customers[start:] + customers[:start] if c.pk != answer.author_id][: 3 - k]
                for voter in voters:
                    services.answer_vote(answer_id=answer.pk, customer=voter, value="up" if (n + k) % 4 else "down")
                    made["votes"] += 1
        if customers and purchases:
            item = products[purchases[0][1]]
            services.question_ask(customer=customers[0], product_id=item.pk, text="Does the price include the deposit on the jar?")
            services.question_ask(customer=customers[1 % len(customers)], product_id=item.pk,
                                  text="Cheaper at www.best-deals.example, why buy here?")
            refused = services.question_ask(customer=customers[2 % len(customers)], product_id=item.pk,
                                            text="When is your next sale starting?")
            services.question_reject(question_id=refused.pk, moderator=support, reason="Not about the product: ask Support.")
            made["questions"] += 3
        return made

    def _content(self, products) -> int:
        count = 0
        seen = set()
        for product in sorted(products, key=lambda p: p.pk):
            if product.manufacturer_id in seen:
                continue
            seen.add(product.manufacturer_id)
            maker = Manufacturer.objects.get(pk=product.manufacturer_id)
            services.official_content_create(
                manufacturer_id=maker.pk, kind="overview", title=f"About {maker.name}", position=0,
                body=f"{maker.name} selects its producers itself and checks every batch before it leaves.")
            services.official_content_create(
                manufacturer_id=maker.pk, kind="warranty", title="Our quality promise", position=1,
                body="Not happy with a product? Tell us within 14 days of delivery and we replace it or refund you.")
            services.official_content_create(
                manufacturer_id=maker.pk, product_id=product.pk, kind="care", title="Storage and care", position=0,
                body="Keep cool and dry, away from light.\n\nOnce opened, keep in the fridge and use within a few days.")
            count += 3
        return count
