"""Form pieces shared by several features."""
from wtforms import SelectMultipleField, widgets

from storyboard.text import one_line


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes, so it works without JavaScript."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def strip_text(value: str | None) -> str:
    """Field filter: surrounding spaces removed, and a field missing from the form is ''."""
    return value.strip() if isinstance(value, str) else ""


def single_line(value: str | None) -> str:
    """Field filter for one-line fields (titles, names): line breaks, tabs and control
    characters become spaces, runs of spaces one, ends trimmed. They end up in email subjects."""
    return one_line(value) if isinstance(value, str) else ""


def form_status(form) -> int:
    """HTTP status for showing a form: 200 when first shown, 400 when sent back with errors."""
    return 400 if form.is_submitted() else 200
