"""The longest title, names and value a feed can hold come out whole (PostgreSQL checks lengths)."""
from __future__ import annotations

from storyboard.extensions import db
from storyboard.models import Value
from tests.feeds.reading import parse, token_for

WIDE = "😀"  # four bytes in UTF-8


def wide(length: int, start: str = "") -> str:
    return (start + WIDE * length)[:length]


def test_the_longest_story_title_names_and_value_reach_every_feed_whole(client, ctx, make_person, make_story):
    value = Value(name=wide(80, "V"), slug="v" * 80, position=99)
    db.session.add(value)
    db.session.commit()
    nominator, nominee = make_person(name=wide(120, "No")), make_person(name=wide(120, "Ni"))
    make_story(title=wide(200, "T"), body_md=wide(20000, "B"), impact=wide(2000, "I"),
               nominator=nominator, nominees=[nominee], values=[value])
    token = token_for(make_person())

    for path in ("stories.atom", f"values/{'v' * 80}.atom", f"people/{nominee.id}.atom"):
        response = client.get(f"/feeds/{token}/{path}")
        assert response.status_code == 200, path
        feed = parse(response.data)
        entry = feed.entries[0]
        assert entry.title == wide(200, "T")
        assert entry.authors == [wide(120, "No")]
        assert entry.categories == [("v" * 80, wide(80, "V"))]
        assert wide(120, "Ni") in entry.content and wide(2000, "I") in entry.content
        assert entry.content.count(WIDE) == 118 + 19999 + 1999  # the name, the story, the difference
    assert parse(client.get(f"/feeds/{token}/people/{nominee.id}.atom").data).title.endswith(wide(120, "Ni"))
