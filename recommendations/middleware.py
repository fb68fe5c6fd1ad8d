"""Writes the recommendation lists a request served in one INSERT once its response is ready."""

import logging

from django.db import DatabaseError

from recommendations.serving import tracking

logger = logging.getLogger(__name__)


class RecommendationListsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = tracking.buffering()
        try:
            response = self.get_response(request)
        finally:
            try:
                tracking.flush(token)
            except DatabaseError:  # tracking must never cost the shopper their page
                logger.exception("recommendation lists of %s not recorded", request.path)
        return response
