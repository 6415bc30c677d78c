"""The admin's webhook form."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, StringField
from wtforms.validators import ValidationError

from storyboard.chat.addresses import form_problem
from storyboard.chat.webhooks import WebhookFields
from storyboard.forms import required_text, single_line
from storyboard.models import ChatFormat

URL_MAX = 500
NOT_A_WEB_ADDRESS = ("Give the web address the chat tool gave you, starting with https:// "
                     "(or http://): Storyboard only posts to web addresses.")


class WebhookForm(FlaskForm):
    name = StringField("Name", filters=[single_line],
                       validators=required_text("Give the webhook a name, such as “#kudos in Slack”.", at_most=80,
                                                too_long="Keep the name under 80 characters."))
    url = StringField("Webhook address", filters=[single_line],
                      validators=required_text("Paste the webhook's address.", at_most=URL_MAX,
                                               too_long=f"Keep the address under {URL_MAX} characters."))
    format = RadioField("Format", choices=[SelectChoice(kind.value, kind.label) for kind in ChatFormat],
                        default=ChatFormat.SLACK.value, validate_choice=False)
    on_story_published = BooleanField("When a story is published", default=True)
    on_digest_issue = BooleanField("On digest day, when an issue is cut")

    def validate_url(self, field) -> None:
        try:
            parts = urlsplit(field.data or "")
            parts.port  # noqa: B018 - raises ValueError for a port that is no number
        except ValueError:
            raise ValidationError(NOT_A_WEB_ADDRESS) from None
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValidationError(NOT_A_WEB_ADDRESS)
        if " " in field.data:
            raise ValidationError("A web address has no spaces.")
        problem = form_problem(parts.hostname, parts.port or (443 if parts.scheme.lower() == "https" else 80))
        if problem:
            raise ValidationError(problem)

    def validate_format(self, field) -> None:
        if field.data not in {kind.value for kind in ChatFormat}:
            raise ValidationError("Choose the format the receiver reads.")

    def validate_on_digest_issue(self, field) -> None:
        if not field.data and not self.on_story_published.data:
            raise ValidationError("Choose at least one event to send.")

    def fields(self) -> WebhookFields:
        return WebhookFields(name=self.name.data, url=self.url.data, format=self.format.data,
                             on_story_published=bool(self.on_story_published.data),
                             on_digest_issue=bool(self.on_digest_issue.data))
