"""Editing with history: a revision per save, curator edits audited, any two revisions compared."""
import html
import re
from datetime import date

import pytest
from markupsafe import Markup
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import AuditEntry, StoryRevision, StoryStatus, Value
from storyboard.stories import revisions
from storyboard.stories import service as story_service


def revisions_of(story):
    return list(db.session.scalars(
        select(StoryRevision).where(StoryRevision.story_id == story.id).order_by(StoryRevision.number)
    ))


def edits_of(story):
    return list(db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "story.edit", AuditEntry.entity_id == story.id
        ).order_by(AuditEntry.id)
    ))


def values(*names):
    return [db.session.scalar(select(Value).where(Value.name == name)) for name in names]


def draft_of(story, **changes):
    """The story as its edit form would send it back, with `changes` applied."""
    fields = {
        "title": story.title, "body_md": story.body_md, "impact_kind": story.impact_kind,
        "impact": story.impact, "happened_on": story.happened_on,
        "rule_in_the_way": story.rule_in_the_way,
        "nominee_ids": [person.id for person in story.nominees],
        "value_ids": [value.id for value in story.values],
    } | changes
    return story_service.StoryDraft(**fields)


def form_of(story, **changes):
    data = {
        "title": story.title, "body_md": story.body_md, "impact_kind": story.impact_kind,
        "impact": story.impact, "happened_on": story.happened_on.isoformat(),
        "rule_in_the_way": story.rule_in_the_way or "",
        "nominees": [str(person.id) for person in story.nominees],
        "values": [str(value.id) for value in story.values], "action": "draft",
    }
    return data | changes


@pytest.fixture
def value_names(ctx):
    return [value.name for value in db.session.scalars(select(Value).order_by(Value.position))]


def test_the_first_save_is_revision_1_with_the_whole_story(ctx, make_story, make_person, value_names):
    nominee = make_person(name="Nina Nominee")
    story = make_story(
        nominees=[nominee], values=values(value_names[1], value_names[0]),
        title="Fixed the order", body_md="Body one.", impact="Happy customer.",
        rule_in_the_way="The refund limit.", status=StoryStatus.DRAFT,
    )
    [first] = revisions_of(story)
    assert first.number == 1 and first.editor_id == story.nominator_id
    assert (first.title, first.body_md, first.impact, first.rule_in_the_way) == (
        "Fixed the order", "Body one.", "Happy customer.", "The refund limit."
    )
    assert first.value_names == [value_names[0], value_names[1]]  # in the values' order
    assert first.nominee_names == ["Nina Nominee"]


def test_every_save_is_the_next_revision(ctx, make_story):
    story = make_story(status=StoryStatus.DRAFT)
    for title in ("Second title", "Third title"):
        story_service.save_story(story, story.nominator, draft_of(story, title=title), submit=False)
        db.session.commit()
    assert [(r.number, r.title) for r in revisions_of(story)] == [
        (1, "Stayed late to fix a customer's order"), (2, "Second title"), (3, "Third title"),
    ]
    other = make_story(status=StoryStatus.DRAFT)
    assert [r.number for r in revisions_of(other)] == [1]  # numbers count per story


def test_editing_through_the_page_records_who_saved(client, ctx, make_story, as_role):
    story = make_story(status=StoryStatus.SUBMITTED)
    curator = as_role("curator")
    response = client.post(f"/stories/{story.id}/edit", data=form_of(story, title="Curated title"))
    assert response.status_code == 302
    latest = revisions_of(story)[-1]
    assert (latest.number, latest.title, latest.editor_id) == (2, "Curated title", curator.id)


def test_a_curator_edit_audits_only_the_changed_fields(client, ctx, make_story, make_person, as_role, value_names):
    story = make_story(status=StoryStatus.SUBMITTED, values=values(value_names[0]), body_md="Same body.")
    new_nominee = make_person(name="Zed Newcomer")
    curator = as_role("curator")
    data = form_of(
        story, title="A better title", values=[str(v.id) for v in values(value_names[0], value_names[1])],
        nominees=[str(p.id) for p in story.nominees] + [str(new_nominee.id)],
    )
    assert client.post(f"/stories/{story.id}/edit", data=data).status_code == 302
    [entry] = edits_of(story)
    old_nominees = sorted(p.name for p in story.nominees if p.id != new_nominee.id)
    assert entry.actor_id == curator.id and entry.entity_type == "story"
    assert entry.before == {
        "title": "Stayed late to fix a customer's order",
        "value_names": [value_names[0]],
        "nominee_names": old_nominees,
    }
    assert entry.after == {
        "title": "A better title",
        "value_names": [value_names[0], value_names[1]],
        "nominee_names": sorted(old_nominees + ["Zed Newcomer"]),
    }


def test_a_curator_edit_of_a_story_without_history_audits_the_change(ctx, make_story, make_person):
    # Stories made before revisions existed (or by the demo seeder) have no revision 1.
    story = make_story(status=StoryStatus.SUBMITTED, impact="Before.")
    db.session.execute(StoryRevision.__table__.delete())
    curator = make_person(role="admin")
    story_service.save_story(story, curator, draft_of(story, impact="After."), submit=False)
    db.session.commit()
    [entry] = edits_of(story)
    assert (entry.before, entry.after) == ({"impact": "Before."}, {"impact": "After."})
    assert [r.number for r in revisions_of(story)] == [1]


def test_without_a_before_snapshot_the_previous_revision_stands_in(ctx, make_story, make_person):
    story = make_story(status=StoryStatus.SUBMITTED, title="Old title")
    curator = make_person(role="curator")
    story.title = "New title"
    revision = revisions.record_revision(story, curator)
    db.session.commit()
    assert revision.number == 2
    [entry] = edits_of(story)
    assert (entry.before, entry.after) == ({"title": "Old title"}, {"title": "New title"})


def test_happened_on_and_impact_kind_changes_are_audited_too(ctx, make_story, make_person):
    story = make_story(status=StoryStatus.SUBMITTED, happened_on=date(2024, 1, 2))
    curator = make_person(role="curator")
    story_service.save_story(
        story, curator, draft_of(story, happened_on=date(2024, 1, 3), impact_kind="team"), submit=False
    )
    db.session.commit()
    [entry] = edits_of(story)
    assert entry.before == {"happened_on": "2024-01-02", "impact_kind": "customer"}
    assert entry.after == {"happened_on": "2024-01-03", "impact_kind": "team"}


def test_nominator_edits_and_unchanged_saves_are_not_audited(ctx, make_story, make_person):
    story = make_story(status=StoryStatus.DRAFT)
    story_service.save_story(story, story.nominator, draft_of(story, title="Nominator's edit"), submit=False)
    curator = make_person(role="curator")
    story_service.save_story(story, curator, draft_of(story), submit=False)  # nothing changed
    own = make_story(nominator=curator, status=StoryStatus.DRAFT)
    story_service.save_story(own, curator, draft_of(own, title="Curator's own story"), submit=False)
    db.session.commit()
    assert edits_of(story) == [] and edits_of(own) == []
    assert [r.number for r in revisions_of(story)] == [1, 2, 3]


# The pages.


def test_the_revisions_page_lists_who_saved_when_with_two_choices(client, ctx, make_story, make_person, login):
    story = make_story(status=StoryStatus.SUBMITTED)
    curator = make_person(role="curator", name="Cora Curator")
    story_service.save_story(story, curator, draft_of(story, title="Second"), submit=False)
    db.session.commit()
    login(story.nominator)
    response = client.get(f"/stories/{story.id}/revisions")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    table = text[text.index("<table") : text.index("</table>")]
    assert table.index("Cora Curator") < table.index(story.nominator.name)  # newest first
    assert 'name="b" value="2" aria-label="Compare to revision 2" checked' in text
    assert 'name="a" value="1" aria-label="Compare from revision 1" checked' in text
    assert f'action="/stories/{story.id}/revisions/compare"' in text


def test_compare_shows_word_changes_escaped(client, ctx, make_story, make_person, as_role, value_names):
    story = make_story(
        status=StoryStatus.SUBMITTED, title="Kept the <b>shop</b> open",
        body_md="First line stays.\nShe fixed it quickly.", values=values(value_names[0]),
    )
    curator = make_person(role="curator")
    story_service.save_story(story, curator, draft_of(
        story, title="Kept the <b>café</b> open", body_md="First line stays.\nShe fixed it <script>x</script>.",
        value_ids=[v.id for v in values(value_names[1])],
    ), submit=False)
    db.session.commit()
    as_role("admin")
    response = client.get(f"/stories/{story.id}/revisions/compare?a=1&b=2")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Kept the &lt;b&gt;<del>shop</del><ins>café</ins>&lt;/b&gt; open" in text
    assert "First line stays.<br>" in text
    assert "She fixed it <del>quickly</del><ins>&lt;script&gt;x&lt;/script&gt;</ins>." in text
    assert "<script>x" not in text
    assert f"<del>{value_names[0]}</del>" in text and f"<ins>{value_names[1]}</ins>" in text
    assert "(unchanged)" in text  # impact, rule and nominees stayed the same


def test_compare_without_choices_shows_the_latest_change(client, ctx, make_story, as_role):
    story = make_story(status=StoryStatus.SUBMITTED, impact="Old impact.")
    story_service.save_story(story, story.nominator, draft_of(story, impact="New impact."), submit=False)
    db.session.commit()
    as_role("curator")
    text = client.get(f"/stories/{story.id}/revisions/compare").get_data(as_text=True)
    assert "<del>Old</del><ins>New</ins> impact." in text


BAD_CHOICES = [
    ("b=1", "Choose two revisions to compare."),
    ("a=1", "Choose two revisions to compare."),
    ("a=&b=1", "Choose two revisions to compare."),
    ("a=one&b=1", "“one” is not a revision number."),
    ("a=1.5&b=1", "“1.5” is not a revision number."),
    ("a=-1&b=1", "“-1” is not a revision number."),
    ("a=1&b=99999999999999999999", "is not a revision number."),
    ("a=1&b=%3Cscript%3E", "“&lt;script&gt;” is not a revision number."),
    ("a=1&b=3", "This story has no revision 3."),
    ("a=0&b=1", "“0” is not a revision number."),
]


@pytest.mark.parametrize("query, message", BAD_CHOICES)
def test_bad_choices_are_a_400_that_says_why(client, ctx, make_story, as_role, query, message):
    story = make_story(status=StoryStatus.SUBMITTED)
    story_service.save_story(story, story.nominator, draft_of(story, title="Two"), submit=False)
    db.session.commit()
    as_role("curator")
    response = client.get(f"/stories/{story.id}/revisions/compare?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_another_storys_revision_cannot_be_compared(client, ctx, make_story, as_role):
    story = make_story(status=StoryStatus.SUBMITTED)
    other = make_story(status=StoryStatus.SUBMITTED)
    story_service.save_story(other, other.nominator, draft_of(other, title="Two"), submit=False)
    db.session.commit()
    as_role("curator")
    response = client.get(f"/stories/{story.id}/revisions/compare?a=1&b=2")
    assert response.status_code == 400
    assert "This story has no revision 2." in response.get_data(as_text=True)


def test_a_story_without_revisions_says_so(client, ctx, make_story, as_role):
    story = make_story(status=StoryStatus.PUBLISHED)
    db.session.execute(StoryRevision.__table__.delete())
    db.session.commit()
    as_role("curator")
    assert "No revisions yet" in client.get(f"/stories/{story.id}/revisions").get_data(as_text=True)
    response = client.get(f"/stories/{story.id}/revisions/compare")
    assert response.status_code == 400
    assert "This story has no revisions to compare yet." in response.get_data(as_text=True)


# Who sees history.

HISTORY_PAGES = ["/stories/{id}/revisions", "/stories/{id}/revisions/compare?a=1&b=1"]


@pytest.mark.parametrize("status", [StoryStatus.PUBLISHED, StoryStatus.SUBMITTED], ids=str)
@pytest.mark.parametrize("viewer, allowed", [
    ("nominator", True), ("curator", True), ("admin", True), ("staff", False), ("nominee", False),
])
def test_only_curators_and_the_nominator_see_history(
    client, ctx, make_story, make_person, login, status, viewer, allowed
):
    nominee = make_person()
    story = make_story(status=status, nominees=[nominee])
    person = {"nominator": story.nominator, "nominee": nominee}.get(viewer) or make_person(role=viewer)
    login(person)
    for page in HISTORY_PAGES:
        response = client.get(page.format(id=story.id))
        assert response.status_code == (200 if allowed else 404), page
    shown = client.get(f"/stories/{story.id}")
    if status == StoryStatus.PUBLISHED or allowed:
        link = f'href="/stories/{story.id}/revisions"'
        assert (link in shown.get_data(as_text=True)) is allowed


def test_anonymous_people_are_sent_to_sign_in(client, ctx, make_story):
    story = make_story(status=StoryStatus.PUBLISHED)
    for page in HISTORY_PAGES:
        response = client.get(page.format(id=story.id))
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_missing_story_is_404(client, ctx, as_role):
    as_role("curator")
    assert client.get("/stories/999999/revisions").status_code == 404


# The diff itself.


@pytest.mark.parametrize("old, new, expected", [
    ("same", "same", "same"),
    ("a b c", "a x c", "a <del>b</del><ins>x</ins> c"),
    ("", "new", "<ins>new</ins>"),
    ("gone", "", "<del>gone</del>"),
    ("one\ntwo\n", "one\ntwo\nthree\n", "one<br>\ntwo<br>\n<ins>three<br>\n</ins>"),
    ("<i>&amp;</i>", "<i>&</i>", "&lt;i&gt;&amp;<del>amp;</del>&lt;/i&gt;"),
])
def test_diff_text(old, new, expected):
    result = revisions.diff_text(old, new)
    assert isinstance(result, Markup) and str(result) == expected


def test_diff_lists_shows_kept_removed_and_added_names():
    result = revisions.diff_lists(["Ann", "Bob <b>"], ["Ann", "Cy"])
    assert str(result) == "Ann, <del>Bob &lt;b&gt;</del>, <ins>Cy</ins>"


@pytest.mark.parametrize("separator", [" ", ". "])
def test_a_long_story_compares_quickly(separator):
    import time

    words = [f"word{n % 500}" for n in range(3500)]
    old, new = separator.join(words), separator.join(reversed(words))
    started = time.perf_counter()
    result = revisions.diff_text(old, new)
    assert time.perf_counter() - started < 2
    assert (side(result, "old"), side(result, "new")) == (old, new)


def side(markup: Markup, which: str) -> str:
    """The text a diff shows for one revision: without the other side's changes and any tags."""
    drop = "ins" if which == "old" else "del"
    kept = re.sub(rf"<{drop}>.*?</{drop}>", "", str(markup), flags=re.S).replace("<br>", "")
    return html.unescape(re.sub(r"</?(ins|del)>", "", kept))


@pytest.mark.parametrize("old, new", [
    ("One. Two! Three?\nFour", "One. Zwei! Three?\n\nFour and more"),
    ("a <b>&amp; c", "a <i>& c"),
    ("", "Just added.\n"),
])
def test_each_side_of_a_diff_is_its_revision(old, new):
    result = revisions.diff_text(old, new)
    assert (side(result, "old"), side(result, "new")) == (old, new)


def test_a_small_change_in_a_long_paragraph_is_shown_word_by_word():
    sentence = "She checked every parcel on the van by hand. "
    old = sentence * 300 + "The customer was delighted."
    new = sentence * 300 + "The customer was thrilled."
    assert str(revisions.diff_text(old, new)).endswith("The customer was <del>delighted</del><ins>thrilled</ins>.")
