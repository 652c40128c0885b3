"""A `shopmcp serve` stdio child whose pipes a test drives by hand and through `mcp.Client`, in turns.

Raw bytes go to the child's stdin and raw lines come back, so a test can send
what no SDK client would (broken JSON, binary, a 10 MB line); between attacks
an `mcp.Client` is connected over the very same pipes (`transport()`), so
"the server keeps serving" is checked on the same process and session.
"""

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp_types as types
from anyio.abc import Process
from mcp.client._transport import TransportStreams
from mcp.shared.message import SessionMessage

READ_TIMEOUT = 30.0
"""The longest a test waits for one line from the server before calling it hung."""


class PipeServer:
    """The stdio server process and a line buffer over its stdout."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self._buffer = b""

    async def send_raw(self, data: bytes) -> None:
        assert self.process.stdin is not None
        await self.process.stdin.send(data)

    async def read_line(self) -> bytes:
        """The next line the server wrote (without its newline); fails the test after `READ_TIMEOUT`."""
        with anyio.fail_after(READ_TIMEOUT):
            return await self.read_line_unbounded()

    @asynccontextmanager
    async def transport(self) -> AsyncIterator[TransportStreams]:
        """A client transport over this process's pipes that leaves the process running when it closes."""
        reads_in, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
        write_stream, writes_out = anyio.create_memory_object_stream[SessionMessage](0)

        async def pump_stdout() -> None:
            async with reads_in:
                while True:
                    line = await self.read_line_unbounded()
                    try:
                        item: SessionMessage | Exception = SessionMessage(
                            types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                        )
                    except ValueError as error:
                        item = error
                    await reads_in.send(item)

        async def pump_stdin() -> None:
            async with writes_out:
                async for message in writes_out:
                    text = message.message.model_dump_json(by_alias=True, exclude_unset=True)
                    await self.send_raw(text.encode() + b"\n")

        async with anyio.create_task_group() as group:
            group.start_soon(pump_stdout)
            group.start_soon(pump_stdin)
            try:
                yield read_stream, write_stream
            finally:
                group.cancel_scope.cancel()

    async def read_line_unbounded(self) -> bytes:
        """Like `read_line`, for the client transport, whose calls carry their own timeouts."""
        assert self.process.stdout is not None
        while b"\n" not in self._buffer:
            self._buffer += await self.process.stdout.receive()
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line


@asynccontextmanager
async def stdio_server(env: dict[str, str], log_path: Any) -> AsyncIterator[PipeServer]:
    """`python -m shopmcp serve` (stdio) with `env`, stderr to `log_path`; killed on exit."""
    with open(log_path, "ab") as log_file:
        process = await anyio.open_process(
            [sys.executable, "-m", "shopmcp", "serve"], env=env, stderr=log_file, start_new_session=True
        )
    try:
        yield PipeServer(process)
    finally:
        if process.returncode is None:
            process.kill()
        with anyio.move_on_after(10, shield=True):
            await process.wait()
        await process.aclose()
