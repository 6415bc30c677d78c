"""A story's photos page (/stories/<id>/photos) and the photo files themselves.

The page lists the photos with their thumbnails and alt text, and adds, describes, reorders and
removes them; it is the only page of Storyboard that takes a file (see `_allow_the_upload`, and
storyboard/__init__.py, which refuses files everywhere else). Files are served from the app's
own storage to whoever may read the story, with their stored type and `nosniff`.
"""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from storyboard.errors import NotFound, Refused
from storyboard.extensions import db
from storyboard.forms import check_one_button
from storyboard.models import Story
from storyboard.photos import service, storage
from storyboard.photos.forms import AddPhotoForm, AltTextForm
from storyboard.stories import service as stories

bp = Blueprint("photos", __name__, url_prefix="/stories/<int:story_id>/photos")

UPLOAD_ENDPOINT = "photos.add"
FORM_MARGIN = 64 * 1024  # the alt text, the CSRF token and the multipart boundaries
CHOOSE_AGAIN = "Browsers forget a chosen file when a page comes back, so choose the photo again."


@bp.url_value_preprocessor
def _allow_the_upload(endpoint: str | None, values: dict | None) -> None:
    """Raise the request size limit (MAX_CONTENT_LENGTH, about 1 MB) for the upload only.

    URL value preprocessors run before every before_request function, and those read the body
    (CSRF protection reads the form), so this is the last moment the limit can change. Only for
    someone signed in: nobody else gets to send megabytes.
    """
    if endpoint == UPLOAD_ENDPOINT and current_user.is_authenticated:
        request.max_content_length = service.limits()[0] + FORM_MARGIN


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    limit = service.limits()[0] // (1024 * 1024)
    message = (f"That photo is too large: a photo can be at most {limit} MB. "
               "Choose a smaller file, or save it at a smaller size, and try again.")
    db.session.rollback()
    return render_template("errors/error.html", code=413, message=message, title="Photo too large"), 413


@bp.get("")
def manage(story_id: int):
    story = service.story_to_manage(current_user, story_id)
    return _page(story, AddPhotoForm(formdata=None))


def _page(story: Story, form: AddPhotoForm, status: int = 200, problem: dict | None = None):
    """The photos page; `problem` is an alt text edit sent back: its photo, text and message."""
    return render_template(
        "photos/manage.html", story=story, photos=list(story.photos), form=form, problem=problem,
        can_change=service.can_change(current_user, story), max_photos=service.MAX_PHOTOS,
        max_megabytes=service.limits()[0] // (1024 * 1024), choose_again=CHOOSE_AGAIN,
    ), status


@bp.post("")
def add(story_id: int):
    story = service.story_to_change(current_user, story_id)
    form = AddPhotoForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            return _page(story, form, 400)
        if form.photo.data and not form.photo.errors:
            form.photo.errors = [CHOOSE_AGAIN]
        return _page(story, form, 400)
    try:
        service.add_photo(story, current_user, form.photo.data.read(), form.alt_text.data)
        db.session.commit()
    except Refused as refused:
        db.session.rollback()  # and the files just written go with it (storage.py)
        story = service.story_to_change(current_user, story_id)
        form.photo.errors = [str(refused)]
        return _page(story, form, refused.status)
    flash("Photo added.", "success")
    return redirect(url_for("photos.manage", story_id=story.id, _anchor="photos"))


@bp.post("/<int:photo_id>/alt-text")
def describe(story_id: int, photo_id: int):
    story = service.story_to_change(current_user, story_id)
    photo = service.photo_of(story, photo_id)
    form = AltTextForm()
    if not form.validate_on_submit():
        message = next(iter(form.errors.get("alt_text", [])), "Your form expired. Reload the page and try again.")
        problem = {"photo_id": photo.id, "text": form.alt_text.data or "", "message": message}
        return _page(story, AddPhotoForm(formdata=None), 400, problem)
    if service.describe(photo, current_user, form.alt_text.data):
        db.session.commit()
        flash("Alt text saved.", "success")
    return redirect(url_for("photos.manage", story_id=story.id, _anchor=f"photo-{photo.id}"))


@bp.post("/<int:photo_id>/move")
def move(story_id: int, photo_id: int):
    story = service.story_to_change(current_user, story_id)
    photo = service.photo_of(story, photo_id)
    check_one_button()
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        return _page(story, AddPhotoForm(formdata=None), 400, None)
    if service.move(photo, current_user, direction):
        db.session.commit()
    return redirect(url_for("photos.manage", story_id=story.id, _anchor=f"photo-{photo.id}"))


@bp.post("/<int:photo_id>/remove")
def remove(story_id: int, photo_id: int):
    story = service.story_to_manage(current_user, story_id)
    photo = service.photo_of(story, photo_id)
    check_one_button()
    service.remove(photo, story, current_user)
    db.session.commit()
    flash("Photo removed, and its files deleted.", "success")
    return redirect(url_for("photos.manage", story_id=story.id, _anchor="photos"))


@bp.get("/<int:photo_id>")
def image(story_id: int, photo_id: int):
    """The photo at display size, to whoever may read the story (the story page's own rule)."""
    return _file(story_id, photo_id, thumbnail=False)


@bp.get("/<int:photo_id>/thumbnail")
def thumbnail(story_id: int, photo_id: int):
    return _file(story_id, photo_id, thumbnail=True)


def _file(story_id: int, photo_id: int, thumbnail: bool) -> Response:
    photo = service.photo_of(stories.get_story_for(current_user, story_id), photo_id)
    data = storage.read(photo, thumbnail)
    if data is None:
        raise NotFound("This photo's file is missing. Ask HR to add it again.")
    name = f"story-{story_id}-photo-{photo.id}{'-thumbnail' if thumbnail else ''}.{photo.extension}"
    return Response(data, mimetype=photo.content_type, headers={
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'inline; filename="{name}"',
        # Photos of unpublished stories are private like the pages that show them; and a file
        # opened on its own is never a document that could run anything.
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "default-src 'none'; object-src 'none'; frame-ancestors 'none'; sandbox",
    })


@bp.app_template_global("can_manage_photos")
def can_manage_photos(story: Story) -> bool:
    """Whether the signed-in person sees the story page's link to its photos page."""
    return service.can_manage(current_user, story)
