"""Nominate and write, read the feed and stories, applaud, thank, search."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from storyboard import pii
from storyboard.db_helpers import MAX_ID, database_id, parse_id
from storyboard.extensions import db
from storyboard.forms import EmptyForm, check_one_button
from storyboard.fragments import conditional_page
from storyboard.markdown import render
from storyboard.models import Person, Story, StoryRevision, StoryStatus, Value, story_values
from storyboard.pagination import Page, keyset_paginate, requested_page
from storyboard.stories import cards, editor, lifecycle, revisions, search, service, withdraw
from storyboard.stories.forms import NominationForm, ThankYouForm, company_today
from storyboard.stories.nominees import search_people

bp = Blueprint("stories", __name__)
withdraw.register(bp)  # the writer's withdraw and delete-draft routes
editor.register(bp)  # the editor script's live preview and autosave (static/js/editor.js)

# "enter" is the form's first, hidden button: what pressing Enter in a field sends (see
# _pressed_enter).
ACTIONS = frozenset({"find", "preview", "draft", "save", "submit", "enter"})


@bp.get("/")
@conditional_page
def feed():
    page = feed_page(cards.published_cards())
    return render_template("stories/feed.html", page=page)


def feed_page(stories):
    """A page of published stories' cards, newest first, by position (see keyset_paginate)."""
    return keyset_paginate(stories, Story.published_at, Story.id, current_app.config["FEED_PAGE_SIZE"],
                           load=cards.load_cards)


@bp.route("/nominate", methods=["GET", "POST"])
def nominate():
    form = NominationForm()
    if request.method == "GET":
        preselected = request.args.getlist("nominee", type=database_id)
        form.nominees.data = preselected
        form.happened_on.data = company_today()  # most stories are told the day they happen
    return _edit_story(form, story=None)


@bp.route("/stories/<int:story_id>/edit", methods=["GET", "POST"])
def edit(story_id: int):
    story = service.get_story_for(current_user, story_id, for_edit=True)
    form = NominationForm(obj=story if request.method == "GET" else None)
    form.nominator_id = story.nominator_id
    if request.method == "GET":
        form.nominees.data = [person.id for person in story.nominees]
        form.values.data = [value.id for value in story.values]
    return _edit_story(form, story=story)


def _edit_story(form: NominationForm, story: Story | None):
    """Shared by nominate and edit: search, preview, save a draft or submit."""
    form.values.choices = [SelectChoice(value.id, value.name) for value in editor.value_choices(story)]
    action = request.form.get("action", "draft")
    if request.method == "POST" and action not in ACTIONS:
        abort(400, "Choose Find, Preview, Save or Submit.")
    if action == "enter":
        action = _pressed_enter(form, story)
    context = {"form": form, "story": story, "results": [], "preview": None}
    if request.method == "POST" and action == "find":
        context["results"] = search_people(
            (form.nominee_query.data or "")[:100], current_app.config["NOMINEE_SEARCH_LIMIT"]
        )
        if not context["results"]:
            form.nominee_query.errors = ["Nobody matches that name or email."]
        else:  # the matches are listed below; an empty box lets Enter elsewhere send the form
            context["searched_for"] = form.nominee_query.data.strip()
            form.nominee_query.data = ""
    if request.method == "GET" or action == "find":
        context["chosen"] = _chosen_people(form.nominees.data or [])
        return render_template("stories/edit.html", **context)
    if not form.validate_on_submit():
        context["chosen"] = _chosen_people(form.nominees.data or [])
        return render_template("stories/edit.html", **context), 400
    context["chosen"] = _chosen_people(form.nominees.data)
    if action == "preview":
        context["preview"] = render(form.body_md.data)
        return render_template("stories/edit.html", **context)
    draft = editor.draft_from(form)
    submit = action == "submit"
    try:
        story = service.save_story(story, current_user, draft, submit=submit)
        db.session.commit()
    except IntegrityError:
        # Two saves of one story at the same moment both claimed the next revision number.
        db.session.rollback()
        abort(409, "Someone saved this story at the same moment. Reload it, then save again.")
    session["saved_form"] = request.path  # the page's script forgets its copy of what was typed
    if submit:
        flash("Thank you! Your story is with HR for review.", "success")
        _warn_about_personal_data(story)
    elif story.status == StoryStatus.DRAFT:
        flash("Draft saved. Only you and HR can see it.", "success")
    else:
        flash("Changes saved.", "success")
    return redirect(url_for("stories.show", story_id=story.id))


def _pressed_enter(form: NominationForm, story: Story | None) -> str:
    """What Enter in a field does: the form's main action (submit, or save a story already with
    HR), so it never runs the colleague search by being the first button. With JavaScript,
    Enter in the search box searches there and then; without it, a name left in the search box
    is searched for, so a second colleague typed there is never dropped by sending the story
    (a search that finds someone empties the box, so the next Enter is the main action)."""
    if (form.nominee_query.data or "").strip():
        return "find"
    return "save" if story is not None and not story.is_editable_by_nominator else "submit"


def _warn_about_personal_data(story: Story) -> None:
    findings = pii.story_findings(story)
    if not findings:
        return
    count = len(findings)
    details = "1 likely personal detail" if count == 1 else f"{count} likely personal details"
    kinds = list(dict.fromkeys(found.finding.kind.label for found in findings))
    flash(
        f"Your story seems to hold {details} of customers ({', '.join(kinds)}). "
        "HR will check and redact them before the story is published.",
        "warning",
    )


def _chosen_people(ids: list[int]) -> list[Person]:
    ids = [number for number in ids if 0 < number <= MAX_ID]  # shown again after a bad post
    if not ids:
        return []
    return list(db.session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.name)))


@bp.get("/stories/<int:story_id>")
@conditional_page
def show(story_id: int):
    page = service.story_page(current_user, story_id)
    if page is None:
        abort(404)
    story = page.story
    if story.merged_into_id and not service.can_view(current_user, story):
        # Old links to a merged duplicate lead to the story it was merged into.
        return redirect(url_for("stories.show", story_id=story.merged_into_id))
    if not service.can_view(current_user, story):
        abort(404)
    published = story.is_published  # read now: the commit below expires the story
    first_read = published and not page.read_before
    # Rendered before the read is recorded: the commit would expire what the page shows.
    response = render_story(story, ThankYouForm(), applauded=page.applauded,
                             readers=story.reader_count + first_read)
    if first_read:
        service.record_reader(story, current_user)
        db.session.commit()
    if not published:  # a draft or a story under review is never kept by the browser
        response = make_response(response)
        response.headers["Cache-Control"] = "no-store"
    return response


def render_story(story: Story, thank_form: ThankYouForm, applauded: bool | None = None,
                  readers: int | None = None):
    return render_template(
        "stories/show.html",
        story=story,
        applauded=service.has_applauded(story, current_user) if applauded is None else applauded,
        readers=story.reader_count if readers is None else readers,
        action_form=EmptyForm(),
        thank_form=thank_form,
        can_edit=service.can_edit(current_user, story),
        can_see_history=revisions.can_see_history(current_user, story),
    )


@bp.post("/stories/<int:story_id>/applause")
def applaud(story_id: int):
    """Applaud a story; doing it again changes nothing."""
    story = service.get_story_for(current_user, story_id)
    check_one_button()
    service.applaud(story, current_user)
    db.session.commit()
    return redirect(url_for("stories.show", story_id=story.id, _anchor="applause"))


@bp.post("/stories/<int:story_id>/applause/remove")
def take_back_applause(story_id: int):
    """Take one's applause back: its own button, so a double click never undoes applause."""
    story = service.get_story_for(current_user, story_id)
    check_one_button()
    if service.take_back_applause(story, current_user):
        flash("Your applause is taken back.", "info")
    db.session.commit()
    return redirect(url_for("stories.show", story_id=story.id, _anchor="applause"))


@bp.post("/stories/<int:story_id>/thanks")
def thank(story_id: int):
    story = service.get_story_for(current_user, story_id)
    form = ThankYouForm()
    if not form.validate_on_submit():
        return render_story(story, form), 400
    service.add_thank_you(story, current_user, form.body_md.data)
    db.session.commit()
    flash("Your thank-you note is on the story.", "success")
    return redirect(url_for("stories.show", story_id=story.id, _anchor="thanks"))


@bp.get("/mine")
def mine():
    stories = db.session.scalars(
        select(Story)
        .where(Story.nominator_id == current_user.id)
        .order_by(Story.updated_at.desc())
    ).all()
    return render_template("stories/mine.html", stories=stories, action_form=EmptyForm())


@bp.get("/search")
def search_view():
    query = request.args.get("q", "").strip()[:200]
    per_page = current_app.config["FEED_PAGE_SIZE"]
    page_number = requested_page()
    results = cards.cards_in_order(search.matching_ids(query, per_page + 1, (page_number - 1) * per_page))
    page = Page(items=results[:per_page], number=page_number, has_next=len(results) > per_page)
    return render_template("stories/search.html", query=query, page=page)


@bp.get("/values")
def values():
    return render_template("stories/values.html", values=service.active_values())


@bp.get("/values/<slug>")
def value(slug: str):
    shown = db.first_or_404(select(Value).where(Value.slug == slug))
    stories = cards.published_cards().where(
        Story.id.in_(select(story_values.c.story_id).where(story_values.c.value_id == shown.id))
    )
    page = feed_page(stories)
    return render_template("stories/value.html", value=shown, page=page)


@bp.post("/stories/<int:story_id>/submit")
def submit(story_id: int):
    """The nominator submits a draft, or resubmits after HR asked for changes."""
    story = service.get_story_for(current_user, story_id, for_edit=True)
    check_one_button()
    lifecycle.submit(story, current_user)
    db.session.commit()
    flash("Thank you! Your story is with HR for review.", "success")
    return redirect(url_for("stories.show", story_id=story.id))


# A story's history: its revisions, and any two compared.


def _story_with_history(story_id: int) -> Story:
    """A story whose history the current person may see; 404 for everyone else."""
    story = service.get_story_for(current_user, story_id)
    if not revisions.can_see_history(current_user, story):
        abort(404)
    return story


@bp.get("/stories/<int:story_id>/revisions")
def revisions_list(story_id: int):
    story = _story_with_history(story_id)
    return render_template(
        "stories/revisions.html", story=story, revisions=revisions.revisions_of(story)
    )


def _revision_arg(story: Story, name: str) -> StoryRevision:
    raw = request.args.get(name, "").strip()
    if not raw:
        abort(400, "Choose two revisions to compare.")
    number = parse_id(raw)
    if number is None:
        abort(400, f"“{raw[:20]}” is not a revision number.")
    revision = revisions.find_revision(story, number)
    if revision is None:
        abort(400, f"This story has no revision {number}.")
    return revision


def _latest_change(story: Story) -> tuple[StoryRevision, StoryRevision]:
    """With no revisions chosen, the latest save against the one before it."""
    latest = revisions.revisions_of(story)[:2]
    if not latest:
        abort(400, "This story has no revisions to compare yet.")
    return latest[-1], latest[0]


@bp.get("/stories/<int:story_id>/revisions/compare")
def compare(story_id: int):
    story = _story_with_history(story_id)
    if "a" not in request.args and "b" not in request.args:
        old, new = _latest_change(story)
    else:
        old, new = _revision_arg(story, "a"), _revision_arg(story, "b")
    return render_template(
        "stories/compare.html", story=story, old=old, new=new, diffs=revisions.compare(old, new)
    )
