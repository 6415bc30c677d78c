"""Nominating through the API: the web's nomination form checks the JSON (so a client gets the
form's own messages, field by field) and the web's service saves it, as a draft or sent to HR."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from storyboard.api import schemas, shapes
from storyboard.api.spec import BadRequest, responses, spec
from storyboard.api.v1 import needs_write, rate_limited, takes_json, v1
from storyboard.errors import Refused
from storyboard.extensions import db
from storyboard.stories import editor, service
from storyboard.stories.forms import NominationForm
from storyboard.text import without_controls

FORM_FIELDS = ("title", "body_md", "impact_kind", "impact", "rule_in_the_way", "happened_on",
               "evidence_quote", "evidence_link")
NOT_SAVED = "The nomination was not saved: see each field's messages."


def _form_data(body: schemas.Nomination) -> MultiDict:
    """The JSON as the web form would have posted it: text with line breaks as \\n, ids as text."""
    data = MultiDict()
    for name in FORM_FIELDS:
        value = getattr(body, name)
        if value is not None:
            data.add(name, without_controls(value))
    data.setlist("nominees", [str(number) for number in body.nominees])
    data.setlist("values", [str(number) for number in body.values])
    if body.evidence_score is not None:
        data.add("evidence_score", str(body.evidence_score))
    if body.evidence_score_max is not None:
        data.add("evidence_score_max", str(body.evidence_score_max))
    return data


@v1.post("/nominations")
@rate_limited
@needs_write
@takes_json
@spec.validate(json=schemas.Nomination, resp=responses(HTTP_201=schemas.Story, HTTP_403=schemas.Error,
                                                       HTTP_409=schemas.Error, HTTP_413=schemas.Error,
                                                       HTTP_415=schemas.Error),
               tags=["nominations"], operation_id="createNomination")
def create_nomination(json: schemas.Nomination):
    """Nominate colleagues: a story saved as a draft, or (`submit`) sent to HR for review.

    Checked exactly as the web's nomination form checks it: a failure is 400 with the form's
    messages under `fields`. Needs a write token."""
    form = NominationForm(formdata=_form_data(json), meta={"csrf": False})
    form.values.choices = [SelectChoice(value.id, value.name) for value in editor.value_choices(None)]
    if not form.validate():
        raise BadRequest(NOT_SAVED, {name: list(errors) for name, errors in form.errors.items()})
    try:
        story = service.save_story(None, current_user, editor.draft_from(form), submit=json.submit)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused("Someone saved this story at the same moment. Send it again.") from None
    return shapes.story(story), 201, {"Location": url_for("api.v1.get_story", story_id=story.id, _external=True)}
