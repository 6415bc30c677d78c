"""Absolute links for what leaves the site (emails, feeds), built with or without a request."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """An absolute link on EXTERNAL_URL, built with or without a request (CLI, workers)."""
    base = urlsplit(current_app.config["EXTERNAL_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
