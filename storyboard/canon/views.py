"""/canon: every canon story with its lesson, for everyone; and how often a story was retold."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from storyboard.canon import library
from storyboard.canon.forms import LibraryFilterForm
from storyboard.models import Story
from storyboard.pagination import paginate

bp = Blueprint("canon", __name__, url_prefix="/canon")


@bp.get("/")
def library_page():
    values = library.all_values()
    form = LibraryFilterForm(values, library.canon_departments(), formdata=request.args)
    if not form.validate():
        return render_template("canon/library.html", form=form, page=None, told={}, filters={}), 400
    value = next((shown for shown in values if shown.slug == form.value.data), None)
    statement = library.canon_statement(value, form.department.data or None)
    page = paginate(statement, current_app.config["FEED_PAGE_SIZE"])
    filters = {name: data for name, data in (("value", form.value.data), ("department", form.department.data)) if data}
    told = library.retellings(story.id for story in page.items)
    return render_template("canon/library.html", form=form, page=page, told=told, filters=filters)


@bp.app_template_global()
def retelling(story: Story) -> library.Retelling:
    """How often a story was retold in the digest, for its page."""
    return library.retellings([story.id]).get(story.id, library.NEVER)
