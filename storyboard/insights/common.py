"""What every insights page needs: its filters read from the URL and the choices they offer."""
from __future__ import annotations

from flask import request

from storyboard.insights.filters import InsightFilters
from storyboard.people.service import departments, locations


def page_filters() -> InsightFilters:
    return InsightFilters.from_args(request.args)


def filter_context(filters: InsightFilters, here: str) -> dict:
    """The template variables `insights/_filters.html` and `insights/_nav.html` use."""
    return {"filters": filters, "departments": departments(), "locations": locations(), "here": here}


def filter_status(filters: InsightFilters) -> int:
    """400 when the filters could not be read (the page still answers, with the defaults)."""
    return 400 if filters.errors else 200
