"""The recommendations pages: the question and official content sections of the product page, the
ask and answer forms, votes, the manufacturer's page, and the account's questions.

Server-rendered, usable without JavaScript: every action is a POST form that redirects back to the
product page. Forms check the shape; one service call per action decides; a refusal comes back on
the form (ask, answer) or as a message (votes). Texts are escaped by the templates.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from commerce.catalog import prices, product_cards
from commerce.catalog.badges import badges_for
from commerce.catalog.errors import ProductNotFound
from commerce.catalog.product_sections import ProductSection
from commerce.catalog.selectors import product_get, product_list
from commerce.errors import DomainError
from recommendations import services
from recommendations.errors import AnswerNotFound, QuestionNotFound
from recommendations.forms import AnswerForm, AskQuestionForm, QuestionListForm, VoteForm
from recommendations.models import FAQCategory, ModerationStatus
from recommendations.selectors import content as content_selectors
from recommendations.selectors import questions as question_selectors

QUESTIONS_PER_PAGE = 5
MY_QUESTIONS_PER_PAGE = 20
MAKER_PRODUCTS_PER_PAGE = 24


def _on_form(form, exc: DomainError) -> None:
    form.add_error(None, exc.message)
    for field, errors in (exc.fields or {}).items():
        for error in errors:
            form.add_error("text" if field == "text" else None, error)


def _product_url(product, anchor: str = "questions") -> str:
    return f"{product.get_absolute_url()}#{anchor}"


# --- product page sections ----------------------------------------------------------------------------
def questions_section(*, request, product) -> ProductSection:
    """Questions and answers on the product page: published ones (popular first, paginated with
    ``?qpage=``), the shopper's own awaiting moderation, the ask form, answer forms where the shopper may
    answer, vote buttons. A fixed number of queries whatever the number of questions and answers."""
    listing = QuestionListForm(request.GET)
    filters = listing.cleaned_data if listing.is_valid() else {}
    sort = filters.get("qsort") or "popular"
    category = filters.get("qcategory")
    questions = question_selectors.question_list(product_id=product.pk, sort=sort,
                                                 category_id=category.pk if category else None)
    page = Paginator(questions, QUESTIONS_PER_PAGE).get_page(request.GET.get("qpage"))
    rows = list(page.object_list)
    user = request.user
    answers = [answer for question in rows for answer in question.approved_answers]
    votes = question_selectors.customer_votes(customer=user, answer_ids=[answer.pk for answer in answers])
    # Only the questions shown take answers: no question on the page, nothing to ask about the shopper's role.
    answer_role, mine_pending = question_selectors.shopper_question_standing(user=user, product=product, role=bool(rows))
    for answer in answers:
        answer.my_vote = votes.get(answer.pk)
    context = {
        "product": product,
        "page": page,
        "questions": rows,
        "sort": sort,
        "category": category,
        "categories": list(FAQCategory.objects.order_by("position", "name")),
        "answer_role": answer_role,
        "mine_pending": mine_pending,
        "ask_form": AskQuestionForm(),
        "user": user,
    }
    return ProductSection(html=render_to_string("recommendations/questions/_section.html", context, request=request))


def official_content_section(*, request, product) -> ProductSection | None:
    """The manufacturer's official content on this product, marked official; nothing when there is none."""
    blocks = list(content_selectors.product_content(product_id=product.pk))
    if not blocks:
        return None
    context = {"product": product, "blocks": blocks, "manufacturer": product.manufacturer}
    return ProductSection(html=render_to_string("recommendations/questions/_official_content.html", context, request=request))


# --- asking, answering, voting --------------------------------------------------------------------------
def _product(slug: str):
    try:
        return product_get(slug=slug)
    except ProductNotFound:
        raise Http404("No such product.") from None


@login_required
def question_ask(request, slug: str):
    """The ask form (the product page shows it too); a refused question comes back here with its errors."""
    product = _product(slug)
    form = AskQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        category = form.cleaned_data["category"]
        try:
            question = services.question_ask(customer=request.user, product_id=product.pk, text=form.cleaned_data["text"],
                                             category_id=category.pk if category else None)
        except DomainError as exc:
            _on_form(form, exc)
        else:
            messages.success(request, "Thank you: your question is published." if question.is_public
                             else "Thank you: your question will appear once a moderator has read it.")
            return redirect(_product_url(product))
    status = 400 if request.method == "POST" else 200
    return render(request, "recommendations/questions/ask.html", {"product": product, "form": form}, status=status)


@login_required
def question_answer(request, question_id: int):
    try:
        question = question_selectors.question_get(question_id=question_id, requester=request.user)
    except QuestionNotFound:
        raise Http404("No such question.") from None
    product = question.product
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            answer = services.answer_create(question_id=question.pk, author=request.user, text=form.cleaned_data["text"])
        except DomainError as exc:
            _on_form(form, exc)
        else:
            messages.success(request, "Thank you: your answer is published." if answer.status == ModerationStatus.APPROVED
                             else "Thank you: your answer will appear once a moderator has read it.")
            return redirect(_product_url(product, f"question-{question.pk}"))
    context = {"product": product, "question": question, "form": form,
               "answer_role": question_selectors.answer_role_for(user=request.user, product=product)}
    return render(request, "recommendations/questions/answer.html", context, status=400 if request.method == "POST" else 200)


@require_POST
@login_required
def answer_vote(request, answer_id: int):
    try:
        answer = question_selectors.answer_get(answer_id=answer_id, requester=request.user)
    except AnswerNotFound:
        raise Http404("No such answer.") from None
    product = answer.question.product
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose helpful or not helpful.")
    else:
        try:
            services.answer_vote(answer_id=answer.pk, customer=request.user, value=form.cleaned_data["value"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Thank you for your vote." if form.cleaned_data["value"] != "none" else "Your vote is taken back.")
    return redirect(_product_url(product, f"answer-{answer.pk}"))


# --- the manufacturer's page and my questions -----------------------------------------------------------
def manufacturer_detail(request, slug: str):
    """The maker's official page: the catalog's details (description, website, support), its official
    content marked official, and its products, paginated."""
    try:
        maker = content_selectors.manufacturer_get(slug=slug)
    except DomainError:
        raise Http404("No such manufacturer.") from None
    products = Paginator(product_list(manufacturer_id=maker.pk).order_by("name", "id"), MAKER_PRODUCTS_PER_PAGE)
    page = products.get_page(request.GET.get("page"))
    page_products = list(page.object_list)
    badges = badges_for(product.pk for product in page_products)  # one lookup for the page
    for product in page_products:
        product.badges = badges[product.pk]
    product_cards.annotate(page_products)  # the cards' stars, as on the catalog's lists
    prices.annotate(page_products, customer=prices.shopper(request))  # the price to pay, as on the catalog's cards
    context = {"manufacturer": maker, "blocks": list(content_selectors.manufacturer_content(manufacturer_id=maker.pk)),
               "page": page, "products": page_products, "product_count": products.count}
    return render(request, "recommendations/questions/manufacturer.html", context)


@login_required
def my_questions(request):
    page = Paginator(question_selectors.customer_questions(customer=request.user), MY_QUESTIONS_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "recommendations/questions/my_questions.html", {"page": page, "questions": list(page.object_list)})

