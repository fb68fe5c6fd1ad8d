"""The product list's envelope: the usual page (count, next, previous, results) and ``search``,
what a text search meant and, when it found nothing, what it offers instead."""

from commerce.api.pagination import PageNumberPagination


def _text(description: str, example: str) -> dict:
    return {"type": "string", "description": description, "example": example}


class SearchPagination(PageNumberPagination):
    #: Set by the view for a request with ``q``; ``null`` in the answer otherwise.
    search: dict | None = None

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["search"] = self.search
        return response

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        # ``schema`` is the results' array schema (or a placeholder while spectacular builds examples)
        product = schema["items"] if isinstance(schema, dict) and "items" in schema else {"type": "object"}
        category = {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "slug": {"type": "string"}, "name": {"type": "string"}},
            "required": ["id", "slug", "name"],
        }
        envelope["properties"]["search"] = {
            "type": "object",
            "nullable": True,
            "description": "What the text search `q` meant; `null` without `q`.",
            "required": ["query", "showing_results_for", "did_you_mean", "categories", "suggestions"],
            "properties": {
                "query": _text("The query as received, spaces collapsed.", "chese"),
                "showing_results_for": _text(
                    "The query as searched when a word matched nothing and was corrected to the nearest known word; "
                    "empty otherwise.", "cheese"),
                "did_you_mean": _text(
                    "A more likely query when a word is rare and a much more frequent word is one edit away; empty "
                    "otherwise. The results are those of `query`.", ""),
                "categories": {
                    "type": "array", "items": category, "example": [],
                    "description": "When nothing matched: the categories whose names match a word of the query.",
                },
                "suggestions": {
                    "type": "array", "items": product, "example": [],
                    "description": "When nothing matched: products matching some of the words, else popular products.",
                },
            },
        }
        envelope["required"] = [*envelope.get("required", []), "search"]
        return envelope
