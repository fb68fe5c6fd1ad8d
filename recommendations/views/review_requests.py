"""The page a review request mail links to: the order's products not reviewed yet, each with its star
pickers, submitted through ``review_submit`` as the customer the signed link names, without logging in.
The token is the only authority: it reaches that order's products and nothing else."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from commerce.audit.journey import JourneyAction, journey_record, session_id_for
from commerce.errors import DomainError
from commerce.parsing import parse_id
from recommendations.review_forms import ReviewForm
from recommendations.review_requests import ReviewRequestTokenInvalid, read_token
from recommendations.services import reviews as services


def _submit(request, review_request, form, product_id: int) -> bool:
    if not form.is_valid():
        return False
    try:
        review = services.review_submit(customer=get_user_model().objects.get(pk=review_request.customer_id), product_id=product_id,
                                        title=form.cleaned_data["title"], text=form.cleaned_data["text"],
                                        ratings=form.ratings(), photos=form.cleaned_data["photos"])
    except DomainError as error:
        for field, problems in error.fields.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        if not error.fields:
            form.add_error(None, error.message)
        return False
    action = JourneyAction.RATE_PRODUCT if review.is_star_only else JourneyAction.REVIEW_PRODUCT
    journey_record(action=action, session_id=session_id_for(request), customer_id=review_request.customer_id,
                   product_id=product_id, details={"review_id": review.pk, "review_request": review_request.order.number})
    return True


@never_cache
@csrf_protect
def review_request(request, token: str):
    try:
        review_request = read_token(token)
    except ReviewRequestTokenInvalid as error:
        return render(request, "recommendations/reviews/request_invalid.html",
                      {"message": str(error), "expired": error.expired}, status=410 if error.expired else 404)
    forms = {pk: ReviewForm(prefix=f"p{pk}") for pk, _ in review_request.to_review}
    status = 200
    if request.method == "POST":
        product_id = parse_id(request.POST.get("product"))
        if product_id not in forms:
            status = 400
            messages.error(request, "That product is not one of this order's products left to review.")
        else:
            form = ReviewForm(request.POST, request.FILES, prefix=f"p{product_id}")
            if _submit(request, review_request, form, product_id):
                messages.success(request, "Thank you for your review.")
                return HttpResponseRedirect(request.path)
            forms[product_id], status = form, 400
    products = [{"id": pk, "name": name, "form": forms[pk]} for pk, name in review_request.to_review]
    return render(request, "recommendations/reviews/request.html",
                  {"order": review_request.order, "products": products}, status=status)
