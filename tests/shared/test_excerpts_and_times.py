"""A story card's excerpt keeps the story's blocks apart (a heading no longer runs into the text
after it), and <time datetime> values are ones HTML accepts (storyboard/text.py)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from storyboard.markdown import render
from storyboard.text import excerpt, html_datetime

# (Markdown as typed, the card's excerpt of its rendering)
EXCERPTS = [
    ("## What they did\nThey rang the customer", "What they did — They rang the customer"),
    ("## What they did\n\nThey rang.\n\n## Why it mattered\n\nThe parcel came.",
     "What they did — They rang. Why it mattered — The parcel came."),
    ("They rang.\n\nThen they wrote.", "They rang. Then they wrote."),
    ("They rang\n\nThen they wrote", "They rang · Then they wrote"),
    ("What she did:\n\n- rang the depot\n- drove there\n\nIt worked.",
     "What she did: rang the depot · drove there · It worked."),
    ("> Best service I ever had\n\nsaid the customer.", "Best service I ever had · said the customer."),
    ("## Did it help?\nYes.", "Did it help? Yes."),
    ("She re*built* the **whole** order,  \nby hand, from the [notes](https://example.com).",
     "She rebuilt the whole order, by hand, from the notes."),
    # Plain text, as the story reads: the template escapes it (see the feed card's test).
    ("Tom & Jo wrote `<b>` in the notes", "Tom & Jo wrote <b> in the notes"),
    ("", ""),
]


@pytest.mark.parametrize("markdown, expected", EXCERPTS)
def test_an_excerpt_keeps_the_blocks_of_the_story_apart(markdown, expected):
    assert excerpt(str(render(markdown)), 220) == expected


def test_a_long_excerpt_is_cut_at_a_word_with_an_ellipsis():
    html = str(render("## What they did\n\n" + "They rang the depot again. " * 20))
    assert excerpt(html, 60) == "What they did — They rang the depot again. They rang the…"


def test_the_feed_card_shows_the_heading_apart_from_the_text(client, ctx, as_role, make_story):
    as_role("staff")
    make_story(title="Rang the depot", body_md="## What they did\nThey rang the customer back *twice*.")
    make_story(title="Wrote it down", body_md="Tom & Jo wrote `<b>` in the notes.")
    html = client.get("/").get_data(as_text=True)
    assert '<p class="excerpt">What they did — They rang the customer back twice.</p>' in html
    assert '<p class="excerpt">Tom &amp; Jo wrote &lt;b&gt; in the notes.</p>' in html


@pytest.mark.parametrize("moment, expected", [
    (datetime(2026, 12, 3, 9, 15, 0, 123456), "2026-12-03T09:15:00Z"),  # naive is UTC, as stored
    (datetime(2026, 12, 3, 9, 15), "2026-12-03T09:15:00Z"),
    (datetime(2026, 12, 3, 10, 15, 30, tzinfo=timezone(timedelta(hours=1))), "2026-12-03T09:15:30Z"),
    (datetime(2026, 12, 3, 9, 15, tzinfo=UTC), "2026-12-03T09:15:00Z"),
    (date(2026, 12, 3), "2026-12-03"),
    (None, ""),
])
def test_a_moment_is_written_as_html_reads_it(moment, expected):
    assert html_datetime(moment) == expected


def test_the_feed_card_dates_its_story_without_microseconds(client, ctx, as_role, make_story):
    as_role("staff")
    make_story(title="Rang the depot", published_at=datetime(2026, 11, 30, 14, 5, 9, 654321))
    html = client.get("/").get_data(as_text=True)
    assert '<time datetime="2026-11-30T14:05:09Z">30 Nov 2026</time>' in html
