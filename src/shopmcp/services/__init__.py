"""The shop itself: plain functions over a database session, no MCP anywhere."""
