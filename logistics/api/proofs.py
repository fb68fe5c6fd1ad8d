"""A stop's proof of delivery pictures (photo, signature), for the apps and the back office.

The files are private (``commerce.private_files``): no media URL reaches them. This endpoint streams
one after ``logistics.selectors.stop_proof_file`` checked who asks: the customer of the delivery, the
driver of the route, staff who dispatch (or may view stops). Anyone else, like a stop without that
proof, is 404 ``stop_not_found``: a stranger learns nothing of the stop.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from commerce.api.schema import READ, error_example, error_response
from commerce.images import FORMATS
from commerce.private_files import file_response
from logistics import selectors
from logistics.api.driver_schema import STOP_ID

KIND = OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=sorted(selectors.PROOF_FILES),
                        description="Which picture: the photo or the signature.")
PROOF_NOT_FOUND = error_response("No stop has this id, it has no such picture, or it is not yours to see.",
                                 error_example("stop_not_found", "No such proof of delivery."))


class _AnyAccept(BaseContentNegotiation):
    """A picture is answered whatever the client accepts (an ``<img>`` asks for ``image/*``); errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class StopProofApi(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = _AnyAccept

    @extend_schema(
        operation_id="stop_proof", summary="A stop's proof of delivery picture", tags=["logistics"],
        description="The photo or signature the driver brought back, as the picture it was stored as. For the customer "
                    "of the delivery, the driver of its route and dispatchers; anyone else gets 404.",
        parameters=[STOP_ID, KIND],
        responses={**{(200, content_type): OpenApiTypes.BINARY for content_type, _ in FORMATS.values()},
                   404: PROOF_NOT_FOUND, **READ},
    )
    def get(self, request, stop_id: int, kind: str):
        return file_response(selectors.stop_proof_file(user=request.user, stop_id=stop_id, kind=kind))
