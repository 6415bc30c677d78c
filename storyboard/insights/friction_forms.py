"""The friction report's forms: filing a story's friction under an item, and HR's edit of an item.

They carry and check what was typed; whether a story can be filed, and who the owner is, is the
service's to say (it raises a refusal, and the page shows the form again with what was typed).
"""
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length

from storyboard.forms import required_text, single_line, strip_text
from storyboard.models import FrictionStatus
from storyboard.text import without_controls

TITLE_MAX = 200  # FrictionItem.title is VARCHAR(200): PostgreSQL refuses longer, SQLite would not
NOTE_MAX = 2000  # as curators' other notes: it is quoted whole in notifications and emails
OWNER_MAX = 254  # the longest email address, the longest thing anyone types to name an owner


def item_title_field() -> StringField:
    return StringField(
        "Item title", filters=[single_line],
        validators=required_text("Give the item a short title, such as “The refund rule”.", at_most=TITLE_MAX,
                                 too_long=f"Keep the title to {TITLE_MAX} characters or fewer."),
    )


class NewItemForm(FlaskForm):
    """File a story's friction under a new item with this title."""

    title = item_title_field()


class FileUnderItemForm(FlaskForm):
    """File a story's friction under an existing item, named by its number."""

    item = StringField("Existing item", filters=[strip_text])


class ItemForm(FlaskForm):
    """HR's edit of an item: its title, owner, status and note."""

    title = item_title_field()
    owner = StringField(
        "Owner (name or email)", filters=[single_line],
        validators=[Length(max=OWNER_MAX, message=f"Type at most {OWNER_MAX} characters: a name or an email address.")],
    )
    status = SelectField(
        "Status", choices=[SelectChoice(status.value, status.label) for status in FrictionStatus],
        validate_choice=False,
        validators=[AnyOf([status.value for status in FrictionStatus], message="Choose one of the statuses listed.")],
    )
    note = TextAreaField(
        "Note", filters=[strip_text, without_controls],
        validators=[Length(max=NOTE_MAX, message=f"Keep the note to {NOTE_MAX:,} characters or fewer.")],
    )
