"""Values admin: listing with story counts, create, rename, reorder, retire and restore."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storyboard.admin import service
from storyboard.extensions import db
from storyboard.models import StoryStatus, Value
from tests.helpers import (
    audit_entries,
    input_values,
    row,
    text,
    value_by_slug,
    value_names,
)

DEFAULT_ORDER = [
    "Courtesy", "Empathy", "Responsibility", "Practicality", "Positive attitude",
    "Threw out the script", "Broke the right rule", "Owned it end to end", "Made it right",
]


def value_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Value))


def offered_on_nomination_form(client) -> set[int]:
    return {int(v) for v in input_values(text(client.get("/nominate")), "values")}


# The list.


@pytest.mark.parametrize("role", ["curator", "admin"])
def test_lists_values_in_order_with_story_counts(client, ctx, as_role, make_story, role):
    courtesy, empathy = value_by_slug("courtesy"), value_by_slug("empathy")
    make_story(values=[courtesy, empathy], status=StoryStatus.PUBLISHED)
    make_story(values=[courtesy], status=StoryStatus.PUBLISHED)
    make_story(values=[courtesy], status=StoryStatus.SUBMITTED)
    as_role(role)
    response = client.get("/admin/values")
    assert response.status_code == 200
    page = text(response)
    slugs = ("courtesy", "empathy", "made-it-right")
    positions = [page.index(f'id="value-{value_by_slug(slug).id}"') for slug in slugs]
    assert positions == sorted(positions)
    assert ">3 <span class=\"meta\">(2 published)</span>" in row(page, f"value-{courtesy.id}")
    assert ">1 <span class=\"meta\">(1 published)</span>" in row(page, f"value-{empathy.id}")
    assert '<td data-label="Stories">0</td>' in row(page, f"value-{value_by_slug('made-it-right').id}")


def test_the_first_has_no_up_button_and_the_last_no_down_button(client, ctx, as_role):
    as_role("curator")
    page = text(client.get("/admin/values"))
    first, last = value_by_slug("courtesy"), value_by_slug("made-it-right")
    assert f"/admin/values/{first.id}/move-up" not in page
    assert f"/admin/values/{first.id}/move-down" in page
    assert f"/admin/values/{last.id}/move-down" not in page
    assert f"/admin/values/{last.id}/move-up" in page


# Creating.


def test_create_adds_an_active_value_at_the_end_offered_for_nomination(client, ctx, as_role):
    curator = as_role("curator")
    response = client.post(
        "/admin/values", data={"name": "  Kept   their promise ", "description": "Did what they said."}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/values"
    value = value_by_slug("kept-their-promise")
    assert (value.name, value.description) == ("Kept their promise", "Did what they said.")
    assert value.active is True
    assert value_names()[-1] == "Kept their promise"
    assert value.id in offered_on_nomination_form(client)
    assert "Kept their promise" in text(client.get("/values"))
    [entry] = audit_entries("value.create")
    assert (entry.actor_id, entry.entity_type, entry.entity_id) == (curator.id, "value", value.id)
    assert entry.before is None
    assert entry.after == {
        "name": "Kept their promise", "slug": "kept-their-promise", "description": "Did what they said.",
        "position": 10, "active": True,
    }


@pytest.mark.parametrize("name, slug", [
    ("Café crème", "cafe-creme"),
    ("Owned it, end to end!", "owned-it-end-to-end-2"),  # the default value has the plain slug
    ("日本の心", "value"),
    ("  --Spaces & symbols--  ", "spaces-symbols"),
    ("a" * 80, "a" * 80),
])
def test_slug_is_made_from_the_name_and_unique(client, ctx, as_role, name, slug):
    as_role("curator")
    assert client.post("/admin/values", data={"name": name}).status_code == 302
    value = value_by_slug(slug)
    assert value is not None and value.name == " ".join(name.split())
    assert client.get(f"/values/{slug}").status_code == 200


def test_slugs_stay_unique_at_the_length_limit(ctx):
    actor = None
    # Names that differ only in case pass the database; the form refuses them, not the slug.
    first = service.create_value(actor, "b" * 80, "")
    second = service.create_value(actor, "B" * 80, "")
    third = service.create_value(actor, "B" + "b" * 79, "")
    assert (first.slug, second.slug, third.slug) == ("b" * 80, "b" * 78 + "-2", "b" * 78 + "-3")
    assert all(len(value.slug) <= 80 for value in (first, second, third))


@pytest.mark.parametrize("name, description, message", [
    ("", "Something.", "Enter a name for the value."),
    ("   ", "Something.", "Enter a name for the value."),
    ("x" * 81, "Something.", "Keep the name to 80 characters or fewer."),
    ("courtesy", "Something.", "A value with that name already exists."),
    (" COURTESY ", "Something.", "A value with that name already exists."),
    ("Fine name", "y" * 501, "Keep the description to 500 characters or fewer."),
])
def test_create_refuses_bad_input_and_keeps_what_was_typed(client, ctx, as_role, name, description, message):
    as_role("curator")
    before = value_count()
    response = client.post("/admin/values", data={"name": name, "description": description})
    assert response.status_code == 400
    page = text(response)
    assert message in page
    if name.strip():
        assert f'value="{" ".join(name.split())}"' in page
    assert description in page
    assert value_count() == before
    assert audit_entries() == []


def test_create_says_when_a_retired_value_has_the_name(client, ctx, as_role):
    value_by_slug("empathy").active = False
    db.session.commit()
    as_role("curator")
    response = client.post("/admin/values", data={"name": "Empathy"})
    assert response.status_code == 400
    assert "A retired value has that name. Restore it instead of creating it again." in text(response)


def test_a_name_taken_between_check_and_save_is_a_400_not_a_500(client, ctx, as_role, monkeypatch):
    # As if another curator saved the same name just after this form was checked.
    monkeypatch.setattr(service, "value_named", lambda name: None)
    as_role("curator")
    before = value_count()
    response = client.post("/admin/values", data={"name": "Courtesy", "description": "Again."})
    assert response.status_code == 400
    assert "A value with that name already exists." in text(response)
    assert 'value="Courtesy"' in text(response)
    assert value_count() == before
    assert audit_entries() == []


# Renaming and describing.


def test_rename_keeps_the_slug_so_old_links_work(client, ctx, as_role, make_story):
    courtesy = value_by_slug("courtesy")
    story = make_story(values=[courtesy])
    curator = as_role("curator")
    form = client.get(f"/admin/values/{courtesy.id}/edit")
    assert form.status_code == 200 and 'value="Courtesy"' in text(form)
    response = client.post(
        f"/admin/values/{courtesy.id}/edit",
        data={"name": "Courtesy, always", "description": courtesy.description},
    )
    assert response.status_code == 302
    renamed = value_by_slug("courtesy")
    assert renamed.name == "Courtesy, always"
    page = client.get("/values/courtesy")
    assert page.status_code == 200 and "Courtesy, always" in text(page)
    assert "Courtesy, always" in text(client.get(f"/stories/{story.id}"))
    [entry] = audit_entries("value.update")
    assert (entry.actor_id, entry.entity_id) == (curator.id, courtesy.id)
    assert (entry.before, entry.after) == ({"name": "Courtesy"}, {"name": "Courtesy, always"})


def test_description_change_records_only_the_description(client, ctx, as_role):
    empathy = value_by_slug("empathy")
    old = empathy.description
    as_role("curator")
    client.post(f"/admin/values/{empathy.id}/edit", data={"name": "Empathy", "description": "Felt it too."})
    assert value_by_slug("empathy").description == "Felt it too."
    [entry] = audit_entries("value.update")
    assert (entry.before, entry.after) == ({"description": old}, {"description": "Felt it too."})


def test_saving_unchanged_writes_no_audit_entry(client, ctx, as_role):
    empathy = value_by_slug("empathy")
    as_role("curator")
    response = client.post(
        f"/admin/values/{empathy.id}/edit",
        data={"name": "Empathy", "description": empathy.description},
        follow_redirects=True,
    )
    assert "Nothing changed." in text(response)
    assert audit_entries() == []


def test_a_value_may_change_the_case_of_its_own_name(client, ctx, as_role):
    empathy = value_by_slug("empathy")
    as_role("curator")
    response = client.post(f"/admin/values/{empathy.id}/edit", data={"name": "EMPATHY", "description": ""})
    assert response.status_code == 302
    assert value_by_slug("empathy").name == "EMPATHY"


@pytest.mark.parametrize("name, message", [
    ("", "Enter a name for the value."),
    ("x" * 81, "Keep the name to 80 characters or fewer."),
    ("Courtesy", "A value with that name already exists."),
])
def test_rename_refuses_bad_input_and_keeps_what_was_typed(client, ctx, as_role, name, message):
    empathy = value_by_slug("empathy")
    as_role("curator")
    response = client.post(
        f"/admin/values/{empathy.id}/edit", data={"name": name, "description": "Typed description."}
    )
    assert response.status_code == 400
    page = text(response)
    assert message in page and "Typed description." in page
    if name:
        assert f'value="{name}"' in page
    assert value_by_slug("empathy").name == "Empathy"
    assert audit_entries() == []


def test_editing_a_missing_value_is_404(client, ctx, as_role):
    as_role("curator")
    assert client.get("/admin/values/999999/edit").status_code == 404
    assert client.post("/admin/values/999999/retire").status_code == 404


# Reordering.


def test_move_up_and_down_swap_neighbours_everywhere_values_are_listed(client, ctx, as_role):
    empathy = value_by_slug("empathy")
    curator = as_role("curator")
    response = client.post(f"/admin/values/{empathy.id}/move-up")
    assert response.status_code == 302
    assert value_names()[:3] == ["Empathy", "Courtesy", "Responsibility"]
    public = text(client.get("/values"))
    assert public.index("Empathy") < public.index("Courtesy")
    [entry] = audit_entries("value.reorder")
    assert (entry.actor_id, entry.entity_id, entry.before, entry.after) == (
        curator.id, empathy.id, {"place": 2}, {"place": 1}
    )
    assert entry.note == "Moved above “Courtesy”."

    assert client.post(f"/admin/values/{empathy.id}/move-down").status_code == 302
    assert client.post(f"/admin/values/{empathy.id}/move-down").status_code == 302
    assert value_names()[:3] == ["Courtesy", "Responsibility", "Empathy"]
    assert [(e.before, e.after) for e in audit_entries("value.reorder")][1:] == [
        ({"place": 1}, {"place": 2}), ({"place": 2}, {"place": 3}),
    ]


@pytest.mark.parametrize("slug, direction, message", [
    ("courtesy", "up", "“Courtesy” is already first."),
    ("made-it-right", "down", "“Made it right” is already last."),
])
def test_moving_past_the_end_is_409(client, ctx, as_role, slug, direction, message):
    value = value_by_slug(slug)
    as_role("curator")
    response = client.post(f"/admin/values/{value.id}/move-{direction}")
    assert response.status_code == 409
    assert message in text(response)
    assert value_names() == DEFAULT_ORDER
    assert audit_entries() == []


def test_moves_work_when_positions_are_tied(client, ctx, as_role):
    for value in db.session.scalars(select(Value)):
        value.position = 0  # as older data might have them
    db.session.commit()
    third = db.session.scalars(select(Value).order_by(Value.id)).all()[2]
    as_role("curator")
    assert client.post(f"/admin/values/{third.id}/move-up").status_code == 302
    names = value_names()
    assert names.index(third.name) == 1
    assert sorted(db.session.scalars(select(Value.position))) == list(range(1, len(names) + 1))


# Retiring and restoring.


def test_retired_value_leaves_the_nomination_form_but_stays_on_old_stories(client, ctx, as_role, make_story):
    courtesy = value_by_slug("courtesy")
    story = make_story(title="An old kind deed", values=[courtesy])
    curator = as_role("curator")
    assert courtesy.id in offered_on_nomination_form(client)

    response = client.post(f"/admin/values/{courtesy.id}/retire")
    assert response.status_code == 302
    assert value_by_slug("courtesy").active is False
    assert courtesy.id not in offered_on_nomination_form(client)
    assert "/values/courtesy" not in text(client.get("/values"))
    assert "/values/courtesy" in text(client.get(f"/stories/{story.id}"))
    value_page = client.get("/values/courtesy")
    assert value_page.status_code == 200 and "An old kind deed" in text(value_page)
    assert "retired" in row(text(client.get("/admin/values")), f"value-{courtesy.id}")
    [entry] = audit_entries("value.retire")
    assert (entry.actor_id, entry.entity_id, entry.before, entry.after) == (
        curator.id, courtesy.id, {"active": True}, {"active": False}
    )

    again = client.post(f"/admin/values/{courtesy.id}/retire")
    assert again.status_code == 409 and "“Courtesy” is already retired." in text(again)

    assert client.post(f"/admin/values/{courtesy.id}/restore").status_code == 302
    assert value_by_slug("courtesy").active is True
    assert courtesy.id in offered_on_nomination_form(client)
    [entry] = audit_entries("value.restore")
    assert (entry.before, entry.after) == ({"active": False}, {"active": True})
    again = client.post(f"/admin/values/{courtesy.id}/restore")
    assert again.status_code == 409 and "“Courtesy” is not retired." in text(again)
    assert len(audit_entries()) == 2


def test_a_story_keeps_its_retired_value_when_edited(client, ctx, as_role, make_story, make_person, login):
    courtesy = value_by_slug("courtesy")
    nominator = make_person()
    story = make_story(nominator=nominator, values=[courtesy], status=StoryStatus.DRAFT)
    as_role("curator")
    client.post(f"/admin/values/{courtesy.id}/retire")
    login(nominator)
    edit_form = text(client.get(f"/stories/{story.id}/edit"))
    assert courtesy.id in {int(v) for v in input_values(edit_form, "values")}


def test_a_rename_colliding_between_check_and_save_is_a_400_not_a_500(client, ctx, as_role, monkeypatch):
    monkeypatch.setattr(service, "value_named", lambda name: None)
    empathy = value_by_slug("empathy")
    as_role("curator")
    response = client.post(f"/admin/values/{empathy.id}/edit", data={"name": "Courtesy", "description": ""})
    assert response.status_code == 400
    assert "A value with that name already exists." in text(response)
    assert 'value="Courtesy"' in text(response)
    assert value_by_slug("empathy").name == "Empathy"
    assert audit_entries() == []
