"""HR files frictions under items, gives each an owner, a status and a note; when an item is
marked changed, the people behind its published stories are told, each once.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import (
    FrictionItem,
    FrictionLink,
    Notification,
    NotificationSetting,
    Person,
    Story,
    StoryStatus,
)
from tests.helpers import audit_entries, csrf_token_in, sign_in_on, text

RULE = "A refund over £50 needs a manager's signature. None was in that day."
NOTE = "Team leads can now sign refunds up to £200."
TOLD = f"The refund rule you ran into has changed: {NOTE}"


def items() -> list[FrictionItem]:
    db.session.expire_all()
    return list(db.session.scalars(select(FrictionItem).order_by(FrictionItem.id)))


def filed_under(story: Story) -> int | None:
    db.session.expire_all()
    link = db.session.get(FrictionLink, story.id)
    return link.item_id if link else None


def told() -> dict[str, tuple[str, str, int]]:
    """Every notification: {person's name: (kind, message, story id)}; a person told twice fails."""
    db.session.expire_all()
    found: dict[str, tuple[str, str, int]] = {}
    for note in db.session.scalars(select(Notification).order_by(Notification.id)):
        name = db.session.get(Person, note.person_id).name
        assert name not in found, f"{name} was told twice"
        found[name] = (note.kind, note.message, note.story_id)
    return found


def save_item(client, item_id: int, **fields):
    data = {"title": "The refund rule", "owner": "", "status": "open", "note": ""} | fields
    return client.post(f"/insights/friction/items/{item_id}", data=data)


@pytest.fixture
def curator(ctx, as_role):
    return as_role("curator", name="Cora Curator", email="cora@example.com")


# Filing a story's friction.


def test_a_friction_is_filed_under_a_new_item_and_the_title_is_suggested(client, curator, make_story):
    story = make_story(rule_in_the_way=RULE)
    page = text(client.get("/insights/friction"))
    assert 'value="A refund over £50 needs a manager&#39;s signature"' in page
    response = client.post(f"/insights/friction/stories/{story.id}/new-item?show=unfiled",
                           data={"title": "  The refund\r\nrule "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/insights/friction?show=unfiled#frictions")
    [item] = items()
    assert (item.title, item.status, item.owner_id, item.note) == ("The refund rule", "open", None, "")
    assert filed_under(story) == item.id
    assert [entry.action for entry in audit_entries()] == ["friction.create", "friction.file"]
    assert all(entry.actor_id == curator.id for entry in audit_entries())


def test_a_friction_is_added_to_an_item_and_taken_out(client, curator, make_story):
    first, second = make_story(rule_in_the_way=RULE), make_story(rule_in_the_way="The refund form again.")
    client.post(f"/insights/friction/stories/{first.id}/new-item", data={"title": "The refund rule"})
    [item] = items()
    added = client.post("/insights/friction/file", data={"story": [str(second.id)], "item": str(item.id)})
    assert added.status_code == 302
    assert filed_under(second) == item.id
    # Filed twice: refused, and it stays where it is.
    again = client.post(f"/insights/friction/stories/{second.id}/new-item", data={"title": "Another"})
    assert again.status_code == 409 and "already filed under “The refund rule”" in text(again)
    assert len(items()) == 1
    response = client.post(f"/insights/friction/stories/{second.id}/unfile?back=item")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/insights/friction/items/{item.id}")
    assert filed_under(second) is None
    assert client.post(f"/insights/friction/stories/{second.id}/unfile").status_code == 409
    assert [entry.action for entry in audit_entries()][-2:] == ["friction.file", "friction.unfile"]


@pytest.mark.parametrize(("url", "data", "message", "kept"), [
    ("stories/{id}/new-item", {"title": ""}, "Give the item a short title", 'value=""'),
    ("stories/{id}/new-item", {"title": "T" * 201}, "Keep the title to 200 characters or fewer.",
     'value="' + "T" * 201 + '"'),
    ("file", {"story": "{id}", "item": ""}, "Choose the item to add them to.", "checked"),
    ("file", {"story": "{id}", "item": "99999"}, "That item no longer exists", "checked"),
    ("file", {"story": "{id}", "item": "nine"}, "That item no longer exists", "checked"),
    ("file", {"item": "{item}"}, "Tick the frictions to add, then choose the item", "selected"),
    ("file", {"story": "x{id}", "item": "{item}"}, "is not on the report any more", "selected"),
])
def test_bad_filing_input_shows_the_report_again_with_what_was_typed(client, curator, make_story,
                                                                     url, data, message, kept):
    story = make_story(rule_in_the_way=RULE)
    other = make_story(rule_in_the_way="Another rule.")
    client.post(f"/insights/friction/stories/{other.id}/new-item", data={"title": "Existing"})
    [item] = items()
    data = {name: value.format(id=story.id, item=item.id) for name, value in data.items()}
    response = client.post(f"/insights/friction/{url.format(id=story.id)}?department=Support", data=data)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert f'<a href="#{f"new-title-{story.id}" if "new-item" in url else "item-choice"}">' in page
    assert 'aria-invalid="true"' in page
    if kept == "checked":  # the ticked friction is still ticked
        assert f'value="{story.id}" form="add-to-item" checked>' in page
    elif kept == "selected":  # the chosen item is still chosen
        assert f'<option value="{item.id}" selected>' in page
    else:
        assert kept in page
    assert '<option value="Support" selected>' in page  # the filters are kept too
    assert filed_under(story) is None and len(items()) == 1


def test_several_frictions_are_added_to_an_item_at_once_or_none_are(client, curator, make_story):
    first, second, third = (make_story(rule_in_the_way=f"Rule {n}.") for n in range(3))
    waiting = make_story(rule_in_the_way=RULE, status=StoryStatus.SUBMITTED)
    client.post(f"/insights/friction/stories/{first.id}/new-item", data={"title": "The refund rule"})
    [item] = items()
    refused = client.post("/insights/friction/file", data={"story": [second.id, waiting.id], "item": item.id})
    assert refused.status_code == 404
    assert filed_under(second) is None
    response = client.post("/insights/friction/file", data={"story": [second.id, third.id], "item": item.id})
    assert response.status_code == 302
    assert "Added 2 frictions to “The refund rule”." in text(client.get(response.headers["Location"]))
    assert (filed_under(second), filed_under(third)) == (item.id, item.id)
    assert [entry.after for entry in audit_entries("friction.file")] == [
        {"story_id": first.id}, {"story_id": second.id}, {"story_id": third.id}]


def test_only_a_published_story_with_a_rule_can_be_filed(client, curator, make_story):
    waiting = make_story(rule_in_the_way=RULE, status=StoryStatus.SUBMITTED)
    no_rule = make_story()
    for story in (waiting, no_rule):
        assert client.post(f"/insights/friction/stories/{story.id}/new-item", data={"title": "X"}).status_code == 404
    assert client.post("/insights/friction/stories/999999/new-item", data={"title": "X"}).status_code == 404
    assert items() == []


# HR's edit of an item.


def test_hr_gives_an_item_an_owner_a_status_and_a_note(client, curator, make_story, make_person):
    owner = make_person(name="Olive Owner", email="olive@example.com")
    story = make_story(rule_in_the_way=RULE)
    client.post(f"/insights/friction/stories/{story.id}/new-item", data={"title": "Refunds"})
    [item] = items()
    response = save_item(client, item.id, title="The refund rule", owner="olive owner", status="being_changed",
                         note="Finance is looking at the limit.")
    assert response.status_code == 302
    [item] = items()
    assert (item.title, item.owner_id, item.status, item.note) == (
        "The refund rule", owner.id, "being_changed", "Finance is looking at the limit.")
    entry = audit_entries("friction.update")[-1]
    assert (entry.before["status"], entry.after["status"]) == ("open", "being_changed")
    assert (entry.before["owner_id"], entry.after["owner_id"]) == (None, owner.id)
    page = text(client.get(f"/insights/friction/items/{item.id}"))
    assert 'value="olive@example.com"' in page and "owned by Olive Owner" in page
    assert told() == {}


@pytest.mark.parametrize(("owner", "message"), [
    ("nobody at all", "Nobody active is called “nobody at all”"),
    ("Sam", "2 people match “Sam”: Sam Jones (sam.jones@example.com), Sam Lee (sam.lee@example.com)."),
    ("gone@example.com", "Nobody active is called “gone@example.com”"),
    ("x" * 255, "Type at most 254 characters"),
])
def test_an_owner_who_cannot_be_found_is_asked_for_again(client, curator, make_story, make_person, owner, message):
    make_person(name="Sam Jones", email="sam.jones@example.com")
    make_person(name="Sam Lee", email="sam.lee@example.com")
    make_person(name="Gone Person", email="gone@example.com", active=False)
    story = make_story(rule_in_the_way=RULE)
    client.post(f"/insights/friction/stories/{story.id}/new-item", data={"title": "The refund rule"})
    [item] = items()
    response = save_item(client, item.id, owner=owner, status="being_changed", note="Typed note")
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert '<a href="#owner">' in page and 'id="owner-errors"' in page
    assert f'value="{owner}"' in page and "Typed note</textarea>" in page
    assert '<option selected value="being_changed">' in page
    [item] = items()
    assert (item.status, item.owner_id) == ("open", None)
    assert not audit_entries("friction.update")


def test_an_email_names_one_person_even_when_names_clash(client, curator, make_story, make_person):
    make_person(name="Sam Jones", email="sam.jones@example.com")
    lee = make_person(name="Sam Lee", email="sam.lee@example.com")
    story = make_story(rule_in_the_way=RULE)
    client.post(f"/insights/friction/stories/{story.id}/new-item", data={"title": "The refund rule"})
    [item] = items()
    assert save_item(client, item.id, owner="SAM.LEE@example.com").status_code == 302
    assert items()[0].owner_id == lee.id


def test_the_longest_title_and_note_fit(client, curator, make_story, make_person):
    story = make_story(rule_in_the_way=RULE, nominator=make_person(name="N" * 120))
    assert client.post(f"/insights/friction/stories/{story.id}/new-item", data={"title": "T" * 200}).status_code == 302
    [item] = items()
    note = ("Changed. " * 300)[:2000]
    assert save_item(client, item.id, title="T" * 200, status="changed", note=note).status_code == 302
    [item] = items()
    assert (item.title, item.note) == ("T" * 200, note.strip())
    assert told()["N" * 120][1] == f"{'T' * 200} you ran into has changed: {note.strip()}"
    too_long = save_item(client, item.id, title="T" * 201, status="changed", note=note + "!")
    assert too_long.status_code == 400
    assert "Keep the title to 200 characters or fewer." in text(too_long)
    assert "Keep the note to 2,000 characters or fewer." in text(too_long)


def test_a_status_that_is_not_offered_is_refused(client, curator, make_story):
    story = make_story(rule_in_the_way=RULE)
    client.post(f"/insights/friction/stories/{story.id}/new-item", data={"title": "The refund rule"})
    [item] = items()
    response = save_item(client, item.id, status="fixed")
    assert response.status_code == 400 and "Choose one of the statuses listed." in text(response)
    assert client.get("/insights/friction/items/999999").status_code == 404


# Telling the people behind the stories.


@pytest.fixture
def behind(ctx, make_person, make_story):
    """Two published stories and an archived one, filed under one item. Expected to be told:
    Nell (nominator of both), Cody (co-nominator), Nina and Noor (nominees). Not told: Gwen
    (a nominee who has left), and Aria and Abe (behind the story archived since)."""
    people = {name: make_person(name=name, email=f"{name.lower()}@example.com")
              for name in ("Nell", "Cody", "Nina", "Noor", "Gwen", "Aria", "Abe", "Olive")}
    first = make_story(nominator=people["Nell"], nominees=[people["Nina"], people["Gwen"]], rule_in_the_way=RULE)
    first.co_nominators = [people["Cody"]]
    second = make_story(nominator=people["Nell"], nominees=[people["Noor"], people["Nina"]],
                        rule_in_the_way="Refunds again.")
    archived = make_story(nominator=people["Aria"], nominees=[people["Abe"]], rule_in_the_way="Refunds, once more.")
    people["Gwen"].active = False
    db.session.commit()
    return people, first, second, archived


def test_marking_an_item_changed_tells_exactly_the_people_behind_it_once(client, curator, behind, smtp_server):
    people, first, second, archived = behind
    client.post(f"/insights/friction/stories/{first.id}/new-item", data={"title": "The refund rule"})
    [item] = items()
    for story in (second, archived):
        client.post("/insights/friction/file", data={"story": [story.id], "item": str(item.id)})
    db.session.get(Story, archived.id).status = StoryStatus.ARCHIVED.value
    db.session.commit()
    # Noor hears in the app only.
    db.session.add(NotificationSetting(person_id=people["Noor"].id, kind="friction_changed", in_app=True, email=False))
    db.session.commit()

    response = save_item(client, item.id, owner="olive@example.com", status="changed", note=NOTE)
    assert response.status_code == 302
    assert "4 people were told it has changed." in text(client.get(response.headers["Location"]))
    assert told() == {
        "Nell": ("friction_changed", TOLD, first.id),  # behind both: told once, about the first
        "Cody": ("friction_changed", TOLD, first.id),
        "Nina": ("friction_changed", TOLD, first.id),
        "Noor": ("friction_changed", TOLD, second.id),
    }
    assert sorted(message["To"] for message in smtp_server.messages) == [
        "cody@example.com", "nell@example.com", "nina@example.com"]
    assert {message["Subject"] for message in smtp_server.messages} == {TOLD}
    assert f"https://storyboard.example.com/stories/{first.id}" in smtp_server.messages[0].get_body().get_content()
    assert items()[0].changed_at is not None

    # Back to open and changed again: nobody hears twice.
    assert save_item(client, item.id, owner="olive@example.com", status="open", note=NOTE).status_code == 302
    again = save_item(client, item.id, owner="olive@example.com", status="changed", note=NOTE)
    assert "had already been told" in text(client.get(again.headers["Location"]))
    assert len(told()) == 4 and len(smtp_server.messages) == 3


def test_people_filed_later_are_told_when_it_is_marked_changed_again(client, curator, behind, make_person,
                                                                     make_story, smtp_server):
    people, first, _, _ = behind
    client.post(f"/insights/friction/stories/{first.id}/new-item", data={"title": "The refund rule"})
    [item] = items()
    save_item(client, item.id, status="changed", note=NOTE)
    assert set(told()) == {"Nell", "Cody", "Nina"}
    newcomer = make_person(name="Nico", email="nico@example.com")
    later = make_story(nominator=make_person(name="Lars", email="lars@example.com"),
                       nominees=[newcomer, people["Nina"]], rule_in_the_way="The refund rule, still.")
    client.post("/insights/friction/file", data={"story": [later.id], "item": str(item.id)})
    assert set(told()) == {"Nell", "Cody", "Nina"}  # filing alone tells nobody
    save_item(client, item.id, status="changed", note=NOTE)
    assert set(told()) == {"Nell", "Cody", "Nina", "Lars", "Nico"}
    assert told()["Nico"] == ("friction_changed", TOLD, later.id)
    assert sorted(message["To"] for message in smtp_server.messages[3:]) == ["lars@example.com", "nico@example.com"]


def test_other_statuses_tell_nobody(client, curator, behind, smtp_server):
    _, first, _, _ = behind
    client.post(f"/insights/friction/stories/{first.id}/new-item", data={"title": "The refund rule"})
    [item] = items()
    for status in ("being_changed", "kept", "open"):
        assert save_item(client, item.id, status=status, note=NOTE).status_code == 302
    assert told() == {} and smtp_server.messages == []


# Who may do this, and forged requests.


def routes(story_id: int, item_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/insights/friction"),
        ("GET", "/insights/friction.csv"),
        ("GET", f"/insights/friction/items/{item_id}"),
        ("POST", f"/insights/friction/items/{item_id}"),
        ("POST", f"/insights/friction/stories/{story_id}/new-item"),
        ("POST", "/insights/friction/file"),
        ("POST", f"/insights/friction/stories/{story_id}/unfile"),
    ]


def test_staff_get_403_on_every_route_and_change_nothing(client, ctx, as_role, make_story):
    story = make_story(rule_in_the_way=RULE)
    item = FrictionItem(title="The refund rule", status="open", note="")
    db.session.add(item)
    db.session.flush()
    db.session.add(FrictionLink(story_id=story.id, item_id=item.id))
    db.session.commit()
    item_id = item.id
    as_role("staff")
    for method, path in routes(story.id, item_id):
        data = {"title": "Mine now", "item": str(item_id), "story": str(story.id), "status": "changed", "note": "x"}
        response = client.open(path, method=method, data=data if method == "POST" else None)
        assert response.status_code == 403, (method, path)
    [item] = items()
    assert (item.title, item.status, filed_under(story)) == ("The refund rule", "open", item_id)
    client.post("/auth/logout")
    for method, path in routes(story.id, item_id):
        response = client.open(path, method=method)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], (method, path)


def test_admins_may_use_the_report(client, ctx, as_role, make_story):
    story = make_story(rule_in_the_way=RULE)
    as_role("admin")
    assert client.get("/insights/friction").status_code == 200
    assert client.post(f"/insights/friction/stories/{story.id}/new-item", data={"title": "Rule"}).status_code == 302


def test_every_form_needs_its_csrf_token(csrf_app, csrf_client, csrf_ctx, make_person, make_story):
    curator = make_person(role="curator")
    first, second = make_story(rule_in_the_way=RULE), make_story(rule_in_the_way="Another.")
    sign_in_on(csrf_client, curator)
    new_item = f"/insights/friction/stories/{first.id}/new-item"
    assert csrf_client.post(new_item, data={"title": "Forged"}).status_code == 400
    assert items() == []
    token = csrf_token_in(text(csrf_client.get("/insights/friction")))
    assert csrf_client.post(new_item, data={"title": "The refund rule", "csrf_token": token}).status_code == 302
    [item] = items()
    forged = [
        ("/insights/friction/file", {"story": str(second.id), "item": str(item.id)}),
        (f"/insights/friction/stories/{first.id}/unfile", {}),
        (f"/insights/friction/items/{item.id}", {"title": "Forged", "status": "changed", "note": "", "owner": ""}),
    ]
    for path, data in forged:
        assert csrf_client.post(path, data=data | {"csrf_token": "wrong"}).status_code == 400, path
    [item] = items()
    assert (item.title, item.status) == ("The refund rule", "open")
    assert (filed_under(first), filed_under(second)) == (item.id, None)
    item_page = text(csrf_client.get(f"/insights/friction/items/{item.id}"))
    assert csrf_client.post(f"/insights/friction/items/{item.id}", data={
        "title": "The refund rule", "status": "kept", "note": "", "owner": "", "csrf_token": csrf_token_in(item_page),
    }).status_code == 302
    assert items()[0].status == "kept"


def test_a_story_filed_then_unpublished_can_still_be_taken_out(client, curator, make_story):
    story = make_story(rule_in_the_way=RULE, published_at=datetime(2025, 3, 1, 12))
    client.post(f"/insights/friction/stories/{story.id}/new-item", data={"title": "The refund rule"})
    [item] = items()
    db.session.get(Story, story.id).status = StoryStatus.ARCHIVED.value
    db.session.commit()
    page = text(client.get(f"/insights/friction/items/{item.id}"))
    assert "archived" in page and "not counted" in page
    assert client.post(f"/insights/friction/stories/{story.id}/unfile?back=item").status_code == 302
    assert filed_under(story) is None
