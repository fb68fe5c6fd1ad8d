"""OpenTelemetry: one tracer provider, spans around commands, the trace id on events and logs.

The exporter is chosen by the environment: ``OTEL_TRACES_EXPORTER`` = ``none`` (default),
``console`` or ``otlp``; setting ``OTEL_EXPORTER_OTLP_ENDPOINT`` implies ``otlp``. Spans are
always created (so trace ids exist on events and logs) even when nothing is exported.
"""

import contextlib
import functools
import logging
import os

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor

SERVICE_NAME = "commerce-service"
_provider: TracerProvider | None = None
_django_instrumented = False
_celery_instrumented = False


def provider() -> TracerProvider:
    global _provider
    if _provider is None:
        _provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
        exporter_name = os.environ.get("OTEL_TRACES_EXPORTER", "").lower()
        if not exporter_name:
            exporter_name = "otlp" if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") else "none"
        if exporter_name == "console":
            _provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
        elif exporter_name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(_provider)
    return _provider


def tracer():
    return provider().get_tracer("commerce")


def instrument_django() -> None:
    global _django_instrumented
    if _django_instrumented:
        return
    from opentelemetry.instrumentation.django import DjangoInstrumentor

    provider()
    # Second, after WsgiPathInfoMiddleware (first in settings.MIDDLEWARE), which it needs.
    DjangoInstrumentor().instrument(tracer_provider=provider(), middleware_position=1)
    _django_instrumented = True


class WsgiPathInfoMiddleware:
    """Give the tracing middleware the request's path in the WSGI form it reads.

    Django stores the decoded path in ``request.META["PATH_INFO"]`` (``/products/\u0663/``); the
    OpenTelemetry middleware reads the URL from there as PEP 3333 defines it (bytes as Latin-1) and
    quotes it as Latin-1, so any path with a character past U+00FF (an Arabic digit, an emoji, a
    product slug in Greek) raised UnicodeEncodeError before routing: a 500 for every page, the admin
    and the API. The path goes back to its WSGI form (the UTF-8 bytes as Latin-1), which is what the
    server gave; ``request.path`` and ``request.path_info``, which the views read, are unchanged.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.META.get("PATH_INFO")
        if isinstance(path, str) and not path.isascii():
            request.META["PATH_INFO"] = path.encode("utf-8", "surrogateescape").decode("latin-1")
        return self.get_response(request)


def instrument_celery() -> None:
    global _celery_instrumented
    if _celery_instrumented:
        return
    from opentelemetry.instrumentation.celery import CeleryInstrumentor

    CeleryInstrumentor().instrument(tracer_provider=provider())
    _celery_instrumented = True


def current_trace_id() -> str:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else ""


@contextlib.contextmanager
def command_span(name: str, **attributes):
    """Open a span for a command, named as the spec names it (``commerce.order.create``).

    Attribute names are passed as keyword arguments with ``__`` for dots, or as a dict via
    ``attributes={"order.customer_id": ...}``; ``commerce.service`` is always set.
    """
    attrs = {"commerce.service": SERVICE_NAME}
    extra = attributes.pop("attributes", None) or {}
    attrs.update({k.replace("__", "."): v for k, v in attributes.items()})
    attrs.update(extra)
    attrs = {k: v for k, v in attrs.items() if v is not None}
    with tracer().start_as_current_span(name, attributes=attrs) as span:
        yield span


def traced(name: str, **static_attributes):
    """Decorator form of :func:`command_span` for service functions."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with command_span(name, **static_attributes):
                return func(*args, **kwargs)

        return wrapper

    return decorate


class TraceIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.trace_id = current_trace_id() or "-"
        return True
