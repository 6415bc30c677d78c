"""The nomination form and the small forms on a story page."""
from __future__ import annotations

from datetime import UTC, date
from zoneinfo import ZoneInfo

from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation, ValidationError

from storyboard import clock
from storyboard.db_helpers import database_id
from storyboard.extensions import db
from storyboard.forms import CheckboxListField, required_text, single_line
from storyboard.models import ImpactKind, Person
from storyboard.settings import setting

MAX_NOMINEES = 10
SCORE_SCALES = {5: "out of 5", 10: "out of 10"}  # a star rating, or a 0-10 satisfaction score
QUOTE_MAX = 1000
LINK_MAX = 500
EARLIEST_STORY = date(1990, 1, 1)
# What the date field says: people pick from the browser's calendar, which shows the date in
# their own format, so no message names a format (YYYY-MM-DD) they never see.
HAPPENED_ON_HINT = "The day it happened. Pick a date from the calendar; it cannot be in the future."


def company_today() -> date:
    """Today in the company's time zone (the one its digest keeps), the day a new story defaults to."""
    zone = ZoneInfo(setting("DIGEST_TIMEZONE"))
    return clock.utcnow().replace(tzinfo=UTC).astimezone(zone).date()


def latest_story_day() -> date:
    """The last day a story may have happened on: the later of the server's and the company's
    today, so the day the form defaults to is never refused, whichever side of midnight."""
    return max(date.today(), company_today())


def _a_day_given(form, field) -> None:
    """Required date: a browser sends none when nothing was picked; a client sending its own
    text can send one that is no date, and is told what a real one looks like."""
    if field.data is not None:
        return
    field.errors[:] = []
    if any((raw or "").strip() for raw in field.raw_data or []):
        example = f"{company_today():%-d %B %Y}"
        raise StopValidation(f"Enter a real date, for example {example}.")
    raise StopValidation("Pick the day it happened from the calendar.")


class NominationForm(FlaskForm):
    nominator_id: int | None = None  # set when editing: the story's nominator, not the editor
    nominees = SelectMultipleField("Colleagues", coerce=database_id, validate_choice=False)
    # Only used to find people; whatever is left in it never blocks saving the story.
    nominee_query = StringField("Find a colleague by name or email")
    values = CheckboxListField("Values they showed", coerce=int)
    title = StringField(
        "Title",
        filters=[single_line],
        validators=required_text("Give the story a title.", at_most=200,
                                 too_long="Keep the title under 200 characters."),
    )
    body_md = TextAreaField(
        "What happened",
        validators=required_text("Tell the story: what happened?", at_most=20000,
                                 too_long="Keep the story under 20,000 characters."),
    )
    impact_kind = RadioField(
        "Who felt the difference",
        choices=[SelectChoice(kind.value, kind.label) for kind in ImpactKind],
        default=ImpactKind.CUSTOMER.value,
        validators=[DataRequired("Choose whether a customer or the team felt the difference.")],
    )
    impact = TextAreaField(
        "The impact",
        validators=required_text("Describe the impact: what changed for the customer or the team?",
                                 at_most=2000, too_long="Keep the impact under 2,000 characters."),
    )
    rule_in_the_way = TextAreaField(
        "A rule or process that got in the way (optional)",
        validators=[Optional(), Length(max=2000, message="Keep this under 2,000 characters.")],
    )
    # The customer's voice (all optional): their words, a score they gave, a link to a review.
    evidence_quote = TextAreaField(
        "What the customer said",
        validators=[Optional(), Length(max=QUOTE_MAX,
                                       message=f"Keep the customer's words under {QUOTE_MAX:,} characters.")],
    )
    evidence_score = IntegerField(
        "A score they gave",
        validators=[Optional(), NumberRange(min=0, max=10, message="Give a score from 0 to 10.")],
    )
    evidence_score_max = SelectField(
        "Out of", choices=[SelectChoice(str(top), label) for top, label in SCORE_SCALES.items()], default="5",
    )
    evidence_link = StringField(
        "A link to their review or message",
        filters=[single_line],
        validators=[Optional(), Length(max=LINK_MAX, message=f"Keep the link under {LINK_MAX} characters.")],
    )
    happened_on = DateField(
        "When it happened",
        description=HAPPENED_ON_HINT,
        validators=[_a_day_given],
        # The calendar offers no day after today (rendered when the form is shown, not defined).
        render_kw={"max": latest_story_day},
    )

    def validate_nominees(self, field) -> None:
        ids = list(dict.fromkeys(field.data or []))
        field.data = ids
        if not ids:
            raise ValidationError("Choose at least one colleague to nominate.")
        if len(ids) > MAX_NOMINEES:
            raise ValidationError(f"Nominate at most {MAX_NOMINEES} colleagues in one story.")
        found = db.session.scalar(
            select(func.count()).select_from(Person).where(Person.id.in_(ids), Person.active)
        )
        if found != len(ids):
            raise ValidationError("One of the chosen colleagues is not an active member of staff.")
        nominator = self.nominator_id or current_user.id
        if ids == [nominator]:
            if nominator == current_user.id:
                raise ValidationError("You cannot nominate only yourself; add the colleagues you worked with.")
            raise ValidationError("The nominator cannot be the only person the story is about.")

    def validate_values(self, field) -> None:
        if not field.data:
            raise ValidationError("Choose at least one value the story shows.")
        if len(field.data) > 3:
            raise ValidationError("Choose at most three values: the ones the story shows best.")

    def validate_evidence_score(self, field) -> None:
        top = self.score_out_of
        if field.data is not None and top is not None and field.data > top:
            raise ValidationError(f"A score out of {top} is at most {top}.")
        if field.data is not None and top == 5 and field.data < 1:
            raise ValidationError("A score out of 5 is at least 1.")

    def validate_evidence_score_max(self, field) -> None:
        if self.score_out_of is None:
            raise ValidationError("Choose whether the score is out of 5 or out of 10.")

    def validate_evidence_link(self, field) -> None:
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError("Give the whole web address, starting with https://.")

    @property
    def score_out_of(self) -> int | None:
        try:
            top = int(self.evidence_score_max.data)
        except (TypeError, ValueError):
            return None
        return top if top in SCORE_SCALES else None

    def validate_happened_on(self, field) -> None:
        if field.data > latest_story_day():
            raise ValidationError("The date cannot be in the future.")
        if field.data < EARLIEST_STORY:
            raise ValidationError("Give a date after 1990.")


class ThankYouForm(FlaskForm):
    body_md = TextAreaField(
        "Say thank you",
        validators=required_text("Write a note before sending it.", at_most=1000,
                                 too_long="Keep a thank-you note under 1,000 characters."),
    )
