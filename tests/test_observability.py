"""Tracing and the log lines that go with it: request spans carry the tool, the session and the principal,
database work shows as child spans, log lines carry trace ids, and OTEL_* variables switch exporting on."""

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import structlog
from mcp import Client
from mcp.server import MCPServer
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, TraceState
from opentelemetry.util.types import Attributes

from shopmcp.app_context import AppContext
from shopmcp.db import Database
from shopmcp.observability import _requested_exporters, add_trace_ids, configure_tracing
from tests.serving.conftest import connect, make_server
from tests.serving.shopping import stocked_product


class _Switch(Sampler):
    """Records while on; the rest of the test session runs with tracing as good as off."""

    on = False

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        # The result's attributes become the span's: pass them through.
        return SamplingResult(Decision.RECORD_AND_SAMPLE if self.on else Decision.DROP, attributes)

    def get_description(self) -> str:
        return "switch"


_SWITCH = _Switch()
_EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    """Every span recorded during the module's tests, in memory (a global provider can be set only once)."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider(sampler=_SWITCH)
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        trace.set_tracer_provider(provider)
    _SWITCH.on = True
    yield _EXPORTER
    _SWITCH.on = False
    _EXPORTER.clear()


def _tool_span(finished: list[ReadableSpan], tool: str) -> ReadableSpan:
    matching = [span for span in finished if span.name == f"tools/call {tool}"]
    assert len(matching) == 1, [span.name for span in finished]
    return matching[0]


async def test_a_tool_call_span_carries_the_tool_session_and_principal_with_database_children(
    spans: InMemorySpanExporter, server_factory: Callable[..., MCPServer[AppContext]], database: Database
) -> None:
    product = stocked_product(database)
    async with Client(server_factory(principal="tracy")) as client:
        session_id = (await client.call_tool("new_session", {})).structured_content["session_id"]
        spans.clear()
        await client.call_tool("add_to_cart", {"product_id": product.id, "session_id": session_id})

    finished = list(spans.get_finished_spans())
    request = _tool_span(finished, "add_to_cart")
    children = [span for span in finished if span.parent is not None and span.parent.span_id == request.context.span_id]
    statements = [span for span in children if span.kind == SpanKind.CLIENT]

    assert request.kind == SpanKind.SERVER
    assert request.attributes is not None
    assert request.attributes["gen_ai.tool.name"] == "add_to_cart"
    assert request.attributes["mcp.session.id"] == session_id
    assert request.attributes["enduser.id"] == "tracy"
    assert statements, "database statements are children of the request span"
    assert {span.attributes["db.system.name"] for span in statements if span.attributes} == {database.dialect}
    assert "INSERT" in {span.attributes["db.operation.name"] for span in statements if span.attributes}
    assert all(span.context.trace_id == request.context.trace_id for span in statements)


async def test_statement_spans_carry_the_sql_but_never_the_values(
    spans: InMemorySpanExporter, server_factory: Callable[..., MCPServer[AppContext]], database: Database
) -> None:
    address = {
        "name": "Zed Secretname",
        "line1": "9 Hidden Lane",
        "city": "Austin",
        "region": "TX",
        "postal_code": "73301",
        "country": "US",
    }
    product = stocked_product(database)
    async with Client(server_factory()) as client:
        session_id = (await client.call_tool("new_session", {})).structured_content["session_id"]
        await client.call_tool("add_to_cart", {"product_id": product.id, "session_id": session_id})
        spans.clear()
        await client.call_tool("preview_checkout", {"shipping_address": address, "session_id": session_id})

    rendered = json.dumps([dict(span.attributes or {}) for span in spans.get_finished_spans()])
    assert "db.query.text" in rendered
    assert "Secretname" not in rendered
    assert "Hidden Lane" not in rendered


def test_log_lines_carry_the_current_trace_and_span_ids(spans: InMemorySpanExporter) -> None:
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        event = add_trace_ids(None, "info", {"event": "inside"})
    outside = add_trace_ids(None, "info", {"event": "outside"})

    assert event["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert event["span_id"] == format(span.get_span_context().span_id, "016x")
    assert "trace_id" not in outside


def test_the_tool_call_log_line_joins_its_trace(
    spans: InMemorySpanExporter, server_factory: Callable[..., MCPServer[AppContext]]
) -> None:
    import anyio

    async def call() -> None:
        async with Client(server_factory()) as client:
            await client.call_tool("list_categories", {})

    with structlog.testing.capture_logs(processors=[add_trace_ids]) as lines:
        spans.clear()
        anyio.run(call)

    line = next(line for line in lines if line["event"] == "tool_call")
    request = _tool_span(list(spans.get_finished_spans()), "list_categories")
    assert line["trace_id"] == format(request.context.trace_id, "032x")


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver: keeps the span names of every export."""

    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            service = {kv.key: kv.value.string_value for kv in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    attributes = {kv.key: kv.value.string_value for kv in span.attributes}
                    self.received.append({"name": span.name, "service": service, "attributes": attributes})
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    _Collector.received = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


async def test_the_otel_endpoint_variable_turns_on_otlp_export_from_a_real_server(
    collector: str, database: Database, tmp_path: Path
) -> None:
    server = make_server(tmp_path, database)
    server.env.update({"OTEL_EXPORTER_OTLP_ENDPOINT": collector, "OTEL_BSP_SCHEDULE_DELAY": "50"})
    server.start()
    try:
        async with connect(server.mcp_url, token=server.tokens["alice"]) as client:
            await client.call_tool("list_categories", {})
    finally:
        server.stop()  # flushes the batch

    names = {span["name"] for span in _Collector.received}
    request = next(span for span in _Collector.received if span["name"] == "tools/call list_categories")
    assert request["service"]["service.name"] == "shopmcp"
    assert request["attributes"]["enduser.id"] == "alice"
    assert any(name.startswith(("SELECT", "WITH")) for name in names)


@pytest.mark.parametrize(
    ("variables", "exporters"),
    [
        pytest.param({}, [], id="off-by-default"),
        pytest.param({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, ["otlp"], id="endpoint"),
        pytest.param({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, ["otlp"], id="traces-endpoint"),
        pytest.param({"OTEL_TRACES_EXPORTER": "console"}, ["console"], id="console"),
        pytest.param({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, [], id="none"),
    ],
)
def test_the_standard_variables_choose_the_exporters(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], exporters: list[str]
) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    assert _requested_exporters() == exporters


def test_otel_sdk_disabled_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")

    assert configure_tracing(service_version="test") is None
