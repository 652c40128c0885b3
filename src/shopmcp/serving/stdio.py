"""Serving shopmcp over stdio, answering lines that are not JSON-RPC messages as JSON-RPC says to.

The SDK's stdio transport turns a line it cannot parse into an exception on the
read stream, and its dispatcher drops that exception with a debug log: the
client that sent broken JSON waits for an answer that never comes. JSON-RPC 2.0
asks for an error response with a null id instead: -32700 (parse error) for a
line that is not JSON, -32600 (invalid request) for JSON that is not a JSON-RPC
message (including batch arrays, which MCP no longer allows). This module sits
between the SDK's stdio transport and the server and writes those answers; the
session keeps serving.

Started by hand at a terminal, the server says on stderr that it waits for a client on stdin,
so a person who ran `shopmcp serve` to try it sees why nothing happens. A client's pipe gets
nothing extra, and stdout only ever carries the protocol.
"""

import sys
from typing import Any, TextIO

import anyio
import mcp_types as types
import pydantic
import structlog
from anyio.abc import ObjectReceiveStream, ObjectSendStream
from mcp.server import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage

log = structlog.get_logger(__name__)

WAITING = (
    "shopmcp: waiting for an MCP client on stdin (stdio transport). This is a server for MCP clients "
    "such as Claude Desktop, not an interactive program: configure it in a client, or press Ctrl-D to stop."
)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600


def protocol_error(failure: Exception) -> types.JSONRPCError:
    """The JSON-RPC answer (null id) to a line the transport could not read as a message."""
    not_json = isinstance(failure, pydantic.ValidationError) and any(
        error["type"] == "json_invalid" for error in failure.errors()
    )
    code, message = (PARSE_ERROR, "Parse error") if not_json else (INVALID_REQUEST, "Invalid Request")
    return types.JSONRPCError(jsonrpc="2.0", id=None, error=types.ErrorData(code=code, message=message))


async def _answer_unreadable_lines(
    source: Any,
    server_side: ObjectSendStream[SessionMessage | Exception],
    write_stream: Any,
) -> None:
    """Forward messages to the server; answer each unreadable line on the wire ourselves."""
    async with server_side:
        async for item in source:
            if isinstance(item, Exception):
                error = protocol_error(item)
                log.warning("stdio_unreadable_line", code=error.error.code)
                try:
                    await write_stream.send(SessionMessage(error))
                except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                    return
                continue
            await server_side.send(item)


def announce_waiting(stdin: TextIO, stderr: TextIO) -> None:
    """One line on stderr when stdin is a terminal (a person, not a client, started the server)."""
    if stdin.isatty():
        print(WAITING, file=stderr, flush=True)


async def run_stdio(server: MCPServer[Any]) -> None:
    """Serve `server` on stdin/stdout until stdin closes (what `MCPServer.run("stdio")` does, plus the answers)."""
    announce_waiting(sys.stdin, sys.stderr)
    # The SDK has no public hook for transport-level errors on stdio; its low-level
    # server is what `MCPServer.run_stdio_async` drives too.
    lowlevel = server._lowlevel_server
    async with stdio_server() as (read_stream, write_stream):
        server_side: ObjectSendStream[SessionMessage | Exception]
        server_reads: ObjectReceiveStream[SessionMessage | Exception]
        server_side, server_reads = anyio.create_memory_object_stream[SessionMessage | Exception](0)
        async with anyio.create_task_group() as group:
            group.start_soon(_answer_unreadable_lines, read_stream, server_side, write_stream)
            await lowlevel.run(server_reads, write_stream, lowlevel.create_initialization_options())
            group.cancel_scope.cancel()
