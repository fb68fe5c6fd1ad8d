import pytest

from commerce import telemetry


@pytest.mark.django_db
def test_django_requests_are_traced(client, spans):
    client.get("/healthz")
    server = [s for s in spans.get_finished_spans() if s.kind.name == "SERVER"]
    assert server, "DjangoInstrumentor produced no server span"
    assert server[-1].name == "GET healthz"


def test_command_span_names_and_attributes(spans):
    with telemetry.command_span("commerce.order.create", attributes={"order.customer_id": 7, "order.cart_items": 2, "skip": None}):
        pass
    span = spans.get_finished_spans()[-1]
    assert span.name == "commerce.order.create"
    assert span.attributes["order.customer_id"] == 7
    assert span.attributes["order.cart_items"] == 2
    assert "skip" not in span.attributes


def test_traced_decorator_wraps_a_service(spans):
    @telemetry.traced("commerce.thing.do", commerce__operation="do_thing")
    def do_thing():
        return telemetry.current_trace_id()

    trace_id = do_thing()
    span = spans.get_finished_spans()[-1]
    assert span.name == "commerce.thing.do"
    assert span.attributes["commerce.operation"] == "do_thing"
    assert trace_id == format(span.context.trace_id, "032x")
