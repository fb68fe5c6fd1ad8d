"""What the questions and official content endpoints' schema shows besides the views' own parts:
path parameters, the error answers several endpoints share, and example answers. Data only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from commerce.api.schema import answer, error_example, error_response

PRODUCT_ID = OpenApiParameter("product_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Product id.")
QUESTION_ID = OpenApiParameter("question_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Question id.")
ANSWER_ID = OpenApiParameter("answer_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Answer id.")
CATEGORY_ID = OpenApiParameter("category_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="FAQ category id.")
MANUFACTURER_ID = OpenApiParameter("manufacturer_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Manufacturer id.")
USER_ID = OpenApiParameter("user_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The representative's user id.")
CONTENT_ID = OpenApiParameter("content_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Official content id.")

PRODUCT_NOT_FOUND = error_response("No active product has this id.", error_example("product_not_found", "No such product."))
QUESTION_NOT_FOUND = error_response(
    "No question has this id, or it is not published and not yours.", error_example("question_not_found", "No such question."))
ANSWER_NOT_FOUND = error_response(
    "No answer has this id, or it is not published and not yours.", error_example("answer_not_found", "No such answer."))
CATEGORY_NOT_FOUND = error_response("No FAQ category has this id.", error_example("faq_category_not_found", "No such FAQ category."))
MANUFACTURER_NOT_FOUND = error_response("No manufacturer has this id.",
                                        error_example("manufacturer_not_found", "No such manufacturer."))
CONTENT_NOT_FOUND = error_response("No official content has this id.", error_example("content_not_found", "No such content."))
REPRESENTATIVE_NOT_FOUND = error_response(
    "That user does not represent that manufacturer.",
    error_example("representative_not_found", "That user does not represent that manufacturer."))

TEXT_INVALID = error_example("text_invalid", "The text is not valid: Plain text only: HTML markup is not accepted.",
                             {"text": ["Plain text only: HTML markup is not accepted."]})
REASON_INVALID = error_example("text_invalid", "The reason is not valid: Write something.", {"reason": ["Write something."]})
CATEGORY_INVALID = error_example("faq_category_invalid", "No such FAQ category.", {"category_id": ["No such FAQ category."]})
MODERATION_INVALID = error_response("The row's status does not allow this; nothing changed.",
                                    error_example("moderation_step_invalid", "It is approved already."))
MODERATION_NOT_ALLOWED = error_response(
    "Logged in, but not a moderator.", error_example("permission_denied", "You need the moderate reviews permission."))

ANSWER_EXAMPLE = {
    "id": 31, "question_id": 12, "role": "representative", "role_label": "The manufacturer", "author_name": "The manufacturer",
    "text": "The lid is dishwasher safe on the top rack.", "status": "approved", "is_verified": True, "up_votes": 14,
    "down_votes": 1, "score": 13, "created_at": "2026-11-02T09:30:00Z",
}
QUESTION_EXAMPLE = {
    "id": 12, "product_id": 4, "text": "Is the lid dishwasher safe?", "category": {"id": 2, "name": "Care", "slug": "care"},
    "author_name": "Ada", "status": "approved", "rejection_reason": "", "answer_count": 1, "vote_count": 15,
    "created_at": "2026-11-01T18:12:00Z", "answers": [ANSWER_EXAMPLE],
}
QUESTION_ANSWER = answer("A question", QUESTION_EXAMPLE)
QUESTION_LIST_ANSWER = answer("Questions", {"count": 1, "next": None, "previous": None, "results": [QUESTION_EXAMPLE]})
MODERATION_QUESTION_ANSWER = answer("The queue", {"count": 1, "next": None, "previous": None, "results": [{
    **QUESTION_EXAMPLE, "status": "pending", "answers": [], "author_id": 77, "screen_flags": ["link"],
    "product_name": "Espresso cup"}]})
ANSWER_ANSWER = answer("An answer", ANSWER_EXAMPLE)
MODERATION_ANSWER_ANSWER = answer("The queue", {"count": 1, "next": None, "previous": None, "results": [{
    **ANSWER_EXAMPLE, "status": "pending", "is_verified": False, "author_id": 77, "screen_flags": [], "rejection_reason": ""}]})
CATEGORY_EXAMPLE = {"id": 2, "name": "Care", "slug": "care", "position": 1}
CATEGORY_ANSWER = answer("A category", CATEGORY_EXAMPLE)
CATEGORY_LIST_ANSWER = answer("Categories", [CATEGORY_EXAMPLE])
CONTENT_EXAMPLE = {
    "id": 5, "manufacturer_id": 3, "product_id": None, "kind": "warranty", "kind_label": "Warranty", "title": "Warranty",
    "body": "Two years on every product.", "position": 0, "is_published": True, "official": True,
    "updated_at": "2026-10-01T08:00:00Z",
}
CONTENT_ANSWER = answer("Official content", CONTENT_EXAMPLE)
CONTENT_LIST_ANSWER = answer("Official content", [CONTENT_EXAMPLE])
MANUFACTURER_INFO_ANSWER = answer("A manufacturer", {
    "id": 3, "name": "Casa Bianca", "slug": "casa-bianca", "description": "Porcelain from Faenza since 1921.",
    "website": "https://casabianca.example", "support_email": "help@casabianca.example", "support_phone": "+39 0546 000",
    "product_count": 12, "official_content": [CONTENT_EXAMPLE],
})
REPRESENTATIVE_EXAMPLE = {"manufacturer_id": 3, "user_id": 77, "username": "casa-rep", "added_at": "2026-09-01T08:00:00Z"}
REPRESENTATIVE_ANSWER = answer("A representative", REPRESENTATIVE_EXAMPLE)
REPRESENTATIVE_LIST_ANSWER = answer("Representatives", [REPRESENTATIVE_EXAMPLE])
