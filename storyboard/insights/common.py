"""What every insights page needs: its filters read from the URL and the choices they offer."""
from __future__ import annotations

from datetime import date

from flask import request

from storyboard.insights.filters import InsightFilters
from storyboard.people.service import departments, locations


def page_filters() -> InsightFilters:
    return InsightFilters.from_args(request.args)


def filter_context(filters: InsightFilters, here: str) -> dict:
    """The template variables `insights/_filters.html` and `insights/_nav.html` use."""
    return {"filters": filters, "departments": departments(), "locations": locations(), "here": here,
            "typed_dates": typed_dates(filters)}


def typed_dates(filters: InsightFilters) -> dict[str, str]:
    """The dates to show in the form: as typed when they are dates, else empty (a date input
    cannot hold anything else; the error above it quotes what was typed)."""
    if not filters.errors:
        return {"start": filters.start.isoformat(), "end": filters.end.isoformat()}
    shown = {}
    for name in ("start", "end"):
        typed = request.args.get(name, "").strip()
        try:
            shown[name] = date.fromisoformat(typed).isoformat() if typed else ""
        except ValueError:
            shown[name] = ""
    return shown


def filter_status(filters: InsightFilters) -> int:
    """400 when the filters could not be read (the page still answers, with the defaults)."""
    return 400 if filters.errors else 200
