"""The filters every insights page shares: what a wrong one shows, and the company's calendar."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from storyboard.insights.filters import InsightFilters
from tests.helpers import input_values


@pytest.mark.parametrize("path", ["/insights/", "/insights/exports", "/insights/friction"])
def test_a_date_that_is_not_one_is_named_and_the_date_box_left_empty(client, ctx, as_role, path):
    as_role("curator")
    response = client.get(f"{path}?start=31/03/2026&end=2026-06-30&department=Stores")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The start date “31/03/2026” is not a date: use the form 2026-03-31." in html
    # A date box can only hold a date: what was typed is quoted above, the good end date kept.
    assert input_values(html, "start") == [""]
    assert input_values(html, "end") == ["2026-06-30"]


def test_a_start_after_the_end_is_refused_and_the_last_12_months_shown(ctx):
    filters = InsightFilters.from_args({"start": "2026-05-01", "end": "2026-04-01"}, today=date(2026, 12, 3))
    assert filters.errors == ("The start date is after the end date: choose a start on or before the end.",)
    assert (filters.start, filters.end) == (date(2025, 12, 4), date(2026, 12, 3))


def test_days_are_the_companys_calendar_days(ctx):
    """London: GMT in winter, BST (UTC+1) in summer; stored times are UTC."""
    summer = InsightFilters.from_args({"start": "2026-07-01", "end": "2026-07-31"})
    assert (summer.start_at, summer.end_at) == (datetime(2026, 6, 30, 23, 0), datetime(2026, 7, 31, 23, 0))
    winter = InsightFilters.from_args({"start": "2026-01-01", "end": "2026-01-31"})
    assert (winter.start_at, winter.end_at) == (datetime(2026, 1, 1, 0, 0), datetime(2026, 2, 1, 0, 0))
    assert summer.query_args() == {"start": "2026-07-01", "end": "2026-07-31"}
