"""Who sees and changes a story's photos, and photos in redaction, deletion, export and erasure:
a photo goes wherever its story's words go."""
from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import AuditEntry, StoryPhoto, StoryStatus
from storyboard.photos import service
from tests.photos.pictures import camera_jpeg, opened
from tests.photos.test_upload import photos_of, stored_files

NAME, EMAIL = "Quentin Zanzibar", "quentin.zanzibar@example.com"


def add(story, alt_text: str = "The van at dawn") -> StoryPhoto:
    photo = service.add_photo(story, story.nominator, camera_jpeg(90, 60), alt_text)
    db.session.commit()
    return photo


@pytest.mark.parametrize("status", [StoryStatus.DRAFT, StoryStatus.SUBMITTED, StoryStatus.REJECTED])
def test_someone_elses_unpublished_photos_are_not_there_at_all(client, ctx, make_story, as_role, status):
    story = make_story(status=status)
    photo = add(story)
    as_role("staff")
    for path in ("", f"/{photo.id}", f"/{photo.id}/thumbnail"):
        assert client.get(f"/stories/{story.id}/photos{path}").status_code == 404
    assert client.post(f"/stories/{story.id}/photos/{photo.id}/remove").status_code == 404
    assert photos_of(story) != []


def test_a_published_storys_photos_are_for_every_reader_but_changed_by_hr(client, ctx, make_story, as_role):
    story = make_story(status=StoryStatus.PUBLISHED)
    photo = add(story)
    as_role("staff")
    assert client.get(f"/stories/{story.id}/photos/{photo.id}").status_code == 200
    story_page = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert f'href="/stories/{story.id}/photos"' not in story_page  # no link to a page they cannot open
    assert f'src="/stories/{story.id}/photos/{photo.id}/thumbnail"' in story_page
    response = client.get(f"/stories/{story.id}/photos")
    assert response.status_code == 403
    assert "Only the person who wrote this story can change its photos" in response.get_data(as_text=True)


def test_the_writer_cannot_change_photos_while_hr_reviews_the_story(client, ctx, make_story, login):
    story = make_story(status=StoryStatus.SUBMITTED)
    photo = add(story)
    login(story.nominator)
    assert client.get(f"/stories/{story.id}/photos").status_code == 403
    assert client.post(f"/stories/{story.id}/photos/{photo.id}/remove").status_code == 403
    assert client.get(f"/stories/{story.id}/photos/{photo.id}").status_code == 200  # still theirs to see


def test_hr_removes_a_photo_from_an_archived_story_as_a_redaction(app, client, ctx, make_story, as_role):
    story = make_story(status=StoryStatus.ARCHIVED)
    photo = add(story, "A customer's card on the desk")
    photo_id = photo.id
    curator = as_role("curator")
    page = client.get(f"/stories/{story.id}/photos").get_data(as_text=True)
    assert "that is a redaction, recorded in the audit log" in page
    assert "Add a photo" not in page
    response = client.post(f"/stories/{story.id}/photos/{photo_id}/remove")
    assert response.status_code == 302
    assert photos_of(story) == [] and stored_files(app) == []
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "story.photo_redact")).one()
    assert (entry.actor_id, entry.entity_id, entry.after) == (curator.id, story.id, {"photo": photo_id})


def test_redacting_words_takes_them_out_of_alt_text_too(client, ctx, make_story, as_role):
    story = make_story(status=StoryStatus.SUBMITTED, body_md="She found order 55512345 on the shelf.")
    add(story, "Order 55512345 on the shelf")
    as_role("curator")
    client.post(f"/queue/{story.id}/redact", data={"text": "55512345", "confirm": "y"})
    assert [photo.alt_text for photo in photos_of(story)] == ["Order [redacted] on the shelf"]


def test_deleting_a_draft_deletes_its_photo_files(app, client, ctx, make_story, login):
    story = make_story(status=StoryStatus.DRAFT)
    add(story)
    add(story)
    assert len(stored_files(app)) == 4
    login(story.nominator)
    response = client.post(f"/stories/{story.id}/delete", data={"confirm": "yes"})
    assert response.status_code == 302
    assert stored_files(app) == []
    assert db.session.scalars(select(StoryPhoto)).all() == []


def test_files_written_for_an_upload_that_rolls_back_are_deleted(app, ctx, make_story):
    story = make_story(status=StoryStatus.DRAFT)
    service.add_photo(story, story.nominator, camera_jpeg(90, 60), "Never kept")
    assert len(stored_files(app)) == 2
    db.session.rollback()
    assert stored_files(app) == []


@pytest.fixture
def leaver(ctx, make_person, make_story, as_role):
    """Someone who wrote one story and is the only person another is about, each with a photo."""
    admin = as_role("admin")
    person = make_person(name=NAME, email=EMAIL)
    colleague = make_person(name="Cal Colleague")
    told = make_story(nominator=person, nominees=[colleague], title="Cal kept calm")
    about = make_story(nominees=[person], title="Quentin saved Christmas")
    add(told, "Quentin Zanzibar handing Cal the keys")
    add(about, "Quentin with the van")
    return {"person": person, "admin": admin, "told": told, "about": about}


def test_the_export_holds_the_photos_of_their_stories_with_alt_text(client, leaver):
    response = client.post(f"/admin/people/{leaver['person'].id}/export")
    data = json.loads(response.get_data(as_text=True))
    [told] = data["stories_nominated"]
    [photo] = told["photos"]
    assert photo["alt_text"] == "Quentin Zanzibar handing Cal the keys"
    assert (photo["content_type"], photo["width"], photo["height"]) == ("image/jpeg", 90, 60)
    picture = opened(base64.b64decode(photo["data_base64"]))
    assert picture.size == (90, 60) and dict(picture.getexif()) == {}
    assert [p["alt_text"] for p in data["stories_about"][0]["photos"]] == ["Quentin with the van"]


def test_erasing_them_keeps_the_photos_of_kept_stories_without_their_name(app, client, leaver):
    response = client.post(f"/admin/people/{leaver['person'].id}/erase", data={"stories": "keep", "confirm": EMAIL})
    assert response.status_code == 302
    assert [photo.alt_text for photo in photos_of(leaver["told"])] == ["[former colleague] handing Cal the keys"]
    assert [photo.alt_text for photo in photos_of(leaver["about"])] == ["[former colleague] with the van"]
    assert len(stored_files(app)) == 4


def test_erasing_them_and_removing_their_stories_deletes_those_photos(app, client, leaver):
    kept = photos_of(leaver["told"])[0].token
    response = client.post(f"/admin/people/{leaver['person'].id}/erase", data={"stories": "remove", "confirm": EMAIL})
    assert response.status_code == 302
    assert db.session.scalars(select(StoryPhoto.token)).all() == [kept]
    assert stored_files(app) == sorted([f"{kept}.jpg", f"{kept}-thumb.jpg"])


def test_personal_data_in_a_photos_description_needs_confirming_before_publishing(ctx, make_person, make_story):
    from storyboard import pii

    curator = make_person(role="curator")
    story = make_story(status="submitted", body_md="A plain story.", impact="It helped.")
    service.add_photo(story, curator, camera_jpeg(40, 30), "Mrs Doe at her door, jane.doe@example.com")
    db.session.commit()
    [found] = pii.story_findings(story)
    assert (found.field, found.label) == (f"photo-{story.photos[0].id}", "Photo 1's description")
    with pytest.raises(pii.NeedsConfirmation):
        pii.check_publish(story, confirmed=False)
