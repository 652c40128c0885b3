"""shopmcp: an MCP server that lets AI agents shop against a real catalog."""

__version__ = "0.1.0"
