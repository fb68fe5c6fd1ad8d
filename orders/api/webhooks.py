"""Payment gateway notifications (webhooks): signed, and applied once.

The sandbox gateway signs the raw body: header ``X-Sandbox-Signature: t=<unix time>,v1=<hex
HMAC-SHA256 of "<t>." + body>`` with ``settings.ORDERS_WEBHOOK_SECRET``. A missing, wrong or
stale signature is refused (403) before the body is even parsed. A notification id seen before
is answered ``already_processed`` and changes nothing, so a gateway's retries are harmless.

No authentication (the signature is the proof), hence no CSRF check. Throttled per client
address (scope ``webhook``, ``API_THROTTLE_WEBHOOK``): generous enough for a gateway retrying a
burst of notifications, while a flood of unsigned requests is turned away before any work.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.api.schema import PUBLIC, answer, documented, error_example, error_response, sent
from commerce.api.throttling import LiveScopedRateThrottle
from orders.services.payments import payment_notification_process, verify_webhook

SIGNATURE_HEADER = "X-Sandbox-Signature"
SIGNATURE = OpenApiParameter(
    SIGNATURE_HEADER, str, OpenApiParameter.HEADER, required=True,
    description='`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + raw body>`; at most 5 minutes old.',
)
SIGNATURE_REFUSED = error_response(
    "The signature is missing, wrong, or too old.",
    error_example("webhook_signature_invalid", "The signature does not match."),
    error_example("webhook_stale", "The signature is too old (replayed?)."),
)


@extend_schema_serializer(component_name="SandboxWebhookData")
class WebhookDataSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField(max_length=100, help_text="The key the shop sent with the charge.")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    card_last4 = serializers.CharField(max_length=4, required=False, allow_blank=True, default="")
    error_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    message = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SandboxWebhookApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LiveScopedRateThrottle]
    throttle_scope = "webhook"

    # Not strict about unknown fields: gateways add fields to their notifications over time.
    @extend_schema_serializer(component_name="SandboxWebhookInput")
    class InputSerializer(serializers.Serializer):
        id = serializers.CharField(max_length=100, help_text="The notification's id; the same id is applied once.")
        type = serializers.ChoiceField(choices=["charge.succeeded", "charge.failed"])
        data = WebhookDataSerializer()

    @extend_schema_serializer(component_name="SandboxWebhookOutput")
    class OutputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=["processed", "already_processed"])

    @documented(
        "payments_webhooks_sandbox",
        "Sandbox gateway notification",
        tags=["payments"],
        ok=OutputSerializer,
        access=PUBLIC,  # no credentials (the signature is the proof), throttled per client address
        description="Called by the payment gateway, not by shop clients.",
        auth=[],
        parameters=[SIGNATURE],
        request=InputSerializer,
        invalid=[error_example("invalid", "The request is not valid.", {"type": ['"charge.refunded" is not a valid choice.']})],
        errors={403: SIGNATURE_REFUSED},
        examples=[
            sent("Charge succeeded", {"id": "evt_3f9a", "type": "charge.succeeded", "data": {
                "idempotency_key": "checkout-9b1c0e...", "reference": "ch_5d2e", "card_last4": "4242"}}),
            answer("Applied", {"status": "processed"}, "200"),
            answer("Seen before", {"status": "already_processed"}, "200"),
        ],
    )
    def post(self, request):
        # The raw bytes as sent: what the gateway signed (read before DRF parses the body).
        body = request.body
        verify_webhook(body=body, header=request.headers.get(SIGNATURE_HEADER, ""), secret=settings.ORDERS_WEBHOOK_SECRET)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        processed = payment_notification_process(
            gateway="sandbox", notification_id=data["id"], event=data["type"], data=dict(data["data"])
        )
        return Response(self.OutputSerializer({"status": "processed" if processed else "already_processed"}).data)
