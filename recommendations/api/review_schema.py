"""What the reviews API's schema shows besides the views' own parts: path parameters, the error
answers several endpoints share, and example answers. Data only, so ``reviews.py`` reads as views."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from commerce.api.schema import answer, error_example, error_response

PRODUCT_ID = OpenApiParameter("product_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Product id.")
REVIEW_ID = OpenApiParameter("review_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Review id.")
PHOTO_ID = OpenApiParameter("photo_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Photo id.")
BANNED_WORD_ID = OpenApiParameter("banned_word_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Banned word id.")

PRODUCT_NOT_FOUND = error_response("No active product has this id.", error_example("product_not_found", "No such product."))
REVIEW_NOT_FOUND = error_response(
    "No review has this id, or it is not published and not yours.", error_example("review_not_found", "No such review."))
MY_REVIEW_NOT_FOUND = error_response("You have not reviewed this product.", error_example("review_not_found", "No such review."))
PHOTO_NOT_FOUND = error_response("No photo of this review has this id.", error_example("review_photo_not_found", "No such photo."))
BANNED_WORD_NOT_FOUND = error_response("No banned word has this id.",
                                       error_example("banned_word_not_found", "No such banned word."))
NOT_YOURS = error_response("The review is someone else's.", error_example("review_not_yours", "This is not your review."))
NOT_ALLOWED = error_response(
    "Reviews are restricted to customers who received the product (a delivered order).",
    error_example("review_not_allowed", "Only customers who received this product may review it."))
OWN_OR_UNPUBLISHED = error_response(
    "Your own review, or one that is not published: it cannot be voted on or reported.",
    error_example("review_own_vote", "Your own review cannot be voted on by you."),
    error_example("review_not_published", "Your review is not published; it cannot be flagged."),
    error_example("review_already_flagged", "You have reported this review already; a moderator will look at it."))
PHOTO_LIMIT = error_response("The review has as many photos as it may.",
                             error_example("review_photo_limit", "At most 5 photos per review."))
REVIEW_INVALID = error_example("review_invalid", "The review is not valid: A whole number of stars, 1 to 5.",
                               {"ratings.overall": ["A whole number of stars, 1 to 5."]})
MARKUP_REFUSED = error_example("review_invalid", "The review is not valid: HTML is not allowed: write plain text.",
                               {"text": ["HTML is not allowed: write plain text."]}, name="markup")
IMAGE_INVALID = error_example("image_invalid", "The file is not a picture the shop can read (JPEG, PNG or WebP).")
FILTER_INVALID = error_example("invalid", "The request is not valid.", {"sort": ['"best" is not a valid choice.']})

REVIEW_EXAMPLE = {
    "id": 12, "product_id": 7, "author": "Ada L.", "title": "Rich and smooth", "text": "Arrived quickly, tastes great.",
    "ratings": {"overall": 5, "quality": 5, "price": 4, "utility": 5, "delivery": 4}, "score": "4.75",
    "status": "approved", "rejection_reason": "", "verified_purchase": True, "helpful_count": 3, "not_helpful_count": 0,
    "photos": [{"id": 4, "url": "/media/reviews/12/a.jpg", "thumbnail_url": "/media/reviews/12/a-thumb.jpg", "width": 1200,
                "height": 900}],
    "reply": {"text": "Thank you, Ada!", "replied_at": "2026-12-02T10:00:00Z"},
    "created_at": "2026-12-01T09:30:00Z", "updated_at": "2026-12-02T10:00:00Z",
}
REVIEW_ANSWER = answer("A review", REVIEW_EXAMPLE)
STATISTICS_ANSWER = answer("Ratings of a product", {
    "product_id": 7, "review_count": 2, "verified_count": 1, "verified_share": 0.5,
    "averages": {"overall": "4.50", "quality": "4.00", "price": "3.50", "utility": "4.50", "delivery": "5.00"},
    "average_score": "4.28",
    "distribution": {"overall": [0, 0, 0, 1, 1], "quality": [0, 0, 0, 2, 0], "price": [0, 0, 1, 1, 0],
                     "utility": [0, 0, 0, 1, 1], "delivery": [0, 0, 0, 0, 2]},
})
