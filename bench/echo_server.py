"""The baseline: a bare `MCPServer` with one `echo` tool, served the way shopmcp is served.

In memory (`build()` handed to `mcp.Client`), over stdio and over Streamable HTTP:

    python -m bench.echo_server                       # stdio
    python -m bench.echo_server --transport http --port 8123

HTTP uses the transport settings `shopmcp serve --transport http` uses on loopback without auth:
JSON responses, handshake-era sessions kept in memory (2026-07-28 clients are session-less either
way), no event store, uvicorn with no access log. What this measures is the SDK's own cost per
call, the floor under any tool.
"""

import argparse

from mcp.server import MCPServer


def build() -> MCPServer:
    """The echo server."""
    server = MCPServer("echo")

    @server.tool()
    def echo(text: str) -> str:
        """Return the text."""
        return text

    return server


def main() -> None:
    parser = argparse.ArgumentParser(description="Echo MCP server (benchmark baseline).")
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    server = build()
    if args.transport == "stdio":
        server.run("stdio")
        return
    import uvicorn

    app = server.streamable_http_app(
        streamable_http_path="/mcp", json_response=True, stateless_http=False, event_store=None, host="127.0.0.1"
    )
    config = uvicorn.Config(app, host="127.0.0.1", port=args.port, log_config=None, access_log=False)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
