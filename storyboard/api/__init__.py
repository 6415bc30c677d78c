"""The JSON API v1 (/api/v1/): personal access tokens, reading and nominating, OpenAPI."""
