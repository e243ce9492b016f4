"""The REST API and the MCP server."""
