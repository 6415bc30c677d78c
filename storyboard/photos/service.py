"""A story's photos: who may change them, adding (at most four), describing, ordering, removing.

Who may change a story's photos is who may edit the story (stories.service.can_edit): its
writer while it is a draft or sent back for changes, curators while it is with HR or published.
Curators may also remove a photo from any story, whatever its status: that is redaction, for a
photo that shows what must not be shown (a customer's face, a card on a desk), and the audit
log records it as one. Who may see a story's photos is who may see the story.

The audit log records which photo changed, never its alt text, so that redacting or erasing
words needs no search of photo entries. Functions here change the session; the caller commits.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select, update

from storyboard import audit
from storyboard.errors import NotFound, NotPermitted, Refused
from storyboard.extensions import db
from storyboard.models import Person, Story, StoryPhoto
from storyboard.photos import images, storage
from storyboard.stories import service as stories

MAX_PHOTOS = 4
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
NOT_YOURS = ("Only the person who wrote this story can change its photos, while it is a draft or "
             "sent back for changes; after that, HR can.")


def limits() -> tuple[int, int]:
    """The largest photo file in bytes, and in pixels (PHOTO_MAX_BYTES, PHOTO_MAX_PIXELS)."""
    config = current_app.config
    return config.get("PHOTO_MAX_BYTES", MAX_BYTES), config.get("PHOTO_MAX_PIXELS", MAX_PIXELS)


def can_change(person: Person, story: Story) -> bool:
    """Whether `person` may add, describe and reorder the story's photos."""
    return stories.can_edit(person, story)


def can_manage(person: Person, story: Story) -> bool:
    """Whether `person` may open the story's photos page: to change them, or to redact one."""
    return can_change(person, story) or person.is_curator


def story_to_manage(person: Person, story_id: int) -> Story:
    """The story, if `person` may open its photos page; 404 if they may not see it, else 403."""
    story = stories.get_story_for(person, story_id)
    if not can_manage(person, story):
        raise NotPermitted(NOT_YOURS)
    return story


def story_to_change(person: Person, story_id: int) -> Story:
    story = stories.get_story_for(person, story_id)
    if not can_change(person, story):
        raise NotPermitted(NOT_YOURS if not person.is_curator else
                           "This story is a draft or archived, so its photos cannot change. "
                           "You can still remove one as a redaction.")
    return story


def photo_of(story: Story, photo_id: int) -> StoryPhoto:
    photo = db.session.get(StoryPhoto, photo_id)
    if photo is None or photo.story_id != story.id:
        raise NotFound()
    return photo


def add_photo(story: Story, actor: Person, data: bytes, alt_text: str) -> StoryPhoto:
    """Clean the picture, store its files and add it after the story's other photos."""
    # Claim the story first (a row lock on PostgreSQL, the write lock on SQLite): of two
    # uploads at once, the second counts the first's photo and a fifth is refused.
    db.session.execute(
        update(Story).where(Story.id == story.id).values(updated_at=Story.updated_at)
        .execution_options(synchronize_session=False)
    )
    count, last = db.session.execute(
        select(func.count(), func.max(StoryPhoto.position)).where(StoryPhoto.story_id == story.id)
    ).one()
    if count >= MAX_PHOTOS:
        raise Refused(f"A story can have at most {MAX_PHOTOS} photos. Remove one to add another.")
    max_bytes, max_pixels = limits()
    clean = images.clean_photo(data, max_bytes=max_bytes, max_pixels=max_pixels)
    photo = StoryPhoto(
        story_id=story.id, position=(last or 0) + 1, alt_text=alt_text, token=storage.new_token(),
        content_type=clean.content_type, width=clean.display.width, height=clean.display.height,
        thumb_width=clean.thumbnail.width, thumb_height=clean.thumbnail.height,
        byte_size=len(clean.display.data), uploaded_by_id=actor.id,
    )
    storage.write(db.session(), photo.token, photo.extension, clean.display.data, clean.thumbnail.data)
    db.session.add(photo)
    db.session.flush()
    audit.record(actor, "story.photo_add", "story", story.id, after={"photo": photo.id})
    return photo


def describe(photo: StoryPhoto, actor: Person, alt_text: str) -> bool:
    """Change a photo's alt text; False if it was already that."""
    if photo.alt_text == alt_text:
        return False
    photo.alt_text = alt_text
    audit.record(actor, "story.photo_describe", "story", photo.story_id, after={"photo": photo.id})
    return True


def move(photo: StoryPhoto, actor: Person, direction: str) -> bool:
    """Swap a photo with the one before ("up") or after it; False at either end."""
    neighbours = select(StoryPhoto).where(StoryPhoto.story_id == photo.story_id)
    if direction == "up":
        neighbours = neighbours.where(StoryPhoto.position < photo.position).order_by(StoryPhoto.position.desc())
    else:
        neighbours = neighbours.where(StoryPhoto.position > photo.position).order_by(StoryPhoto.position)
    other = db.session.scalars(neighbours.limit(1)).first()
    if other is None:
        return False
    photo.position, other.position = other.position, photo.position
    audit.record(actor, "story.photo_move", "story", photo.story_id, after={"photo": photo.id})
    return True


def remove(photo: StoryPhoto, story: Story, actor: Person) -> None:
    """Delete a photo; its files go when this commits (storage.py). A curator removing one from
    a story they may not edit is redacting it, and the audit log says so."""
    action = "story.photo_remove" if can_change(actor, story) else "story.photo_redact"
    audit.record(actor, action, "story", story.id, after={"photo": photo.id})
    db.session.delete(photo)
    db.session.flush()
