"""Builders and readers for the recognition-equity and managers' email tests.

Figures the tests expect are written out by hand; the dates are worked out here from the
company's zone (Europe/London, the default) without the code under test.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from tests.helpers import text

LONDON = ZoneInfo("Europe/London")
LONG_AGO = date(2019, 4, 1)  # a start date that makes nobody a newcomer


def today() -> date:
    return datetime.now(LONDON).date()


def days_ago(days: int, hour: int = 12) -> datetime:
    """Naive UTC at `hour` o'clock London time, `days` company days before today."""
    local = datetime.combine(today() - timedelta(days=days), time(hour), tzinfo=LONDON)
    return local.astimezone(UTC).replace(tzinfo=None)


def start_of_day_ago(days: int) -> datetime:
    """Naive UTC at the start of the London day `days` before today."""
    local = datetime.combine(today() - timedelta(days=days), time.min, tzinfo=LONDON)
    return local.astimezone(UTC).replace(tzinfo=None)


def shown_day(day: date) -> str:
    """A date as the equity page writes it: 4 Sep 2026."""
    return f"{day.day} {day:%b %Y}"


def listed(response) -> list[str]:
    """The names in the page's table of people, top to bottom."""
    return re.findall(r'<tr id="person-\d+">\s*<th scope="row"><a href="[^"]+">([^<]+)</a>', text(response))


def listed_rows(response, kind: str) -> list[str]:
    """The row headers of a departments or managers table."""
    return re.findall(rf'<tr id="{kind}-\d+">\s*<th scope="row"><a href="[^"]+">([^<]+)</a>', text(response))


def figures(response) -> dict[str, tuple[int, int]]:
    """The figures at the top: heading -> (how many, out of how many)."""
    found = re.findall(r'<dt>([^<]+)</dt><dd>([\d,]+) <span class="meta">of ([\d,]+)', text(response))
    return {label: (int(part.replace(",", "")), int(whole.replace(",", ""))) for label, part, whole in found}


class _References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.references: list[str] = []
        self.tables_without_caption = 0
        self._table_open = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if tag == "label" and attributes.get("for"):
            self.references.append(attributes["for"])
        for name in ("aria-labelledby", "aria-describedby", "aria-controls"):
            self.references.extend((attributes.get(name) or "").split())
        if tag == "table":
            self._table_open = True
        elif self._table_open:
            self.tables_without_caption += tag != "caption"
            self._table_open = False


def markup_problems(html: str) -> dict[str, list]:
    """Repeated ids, references (label for, aria-*) to ids not on the page, and tables whose
    first child is not a caption (the checks tests/app/test_page_markup.py makes, in short)."""
    parsed = _References()
    parsed.feed(html)
    return {
        "repeated ids": [name for name, count in Counter(parsed.ids).items() if count > 1],
        "missing targets": [target for target in parsed.references if target not in parsed.ids],
        "tables without a caption": [parsed.tables_without_caption] if parsed.tables_without_caption else [],
    }
