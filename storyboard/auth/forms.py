"""Sign-in and password forms."""
import re

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, ValidationError
from zxcvbn import zxcvbn

from storyboard.forms import email_address, required_text

# Long enough for any passphrase; longer input would only make the strength check slow.
PASSWORD_MAX_LENGTH = 128
# zxcvbn's scores run 0-4; 2 and up resist an online attacker who is rate-limited.
PASSWORD_MIN_SCORE = 2
ZXCVBN_MAX_LENGTH = 72


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=required_text("Enter your email address.", at_most=254))
    # No maximum here: passwords set before there was one must still work.
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField("Keep me signed in")
    submit = SubmitField("Sign in")


def check_new_password(password: str, person) -> None:
    """Refuse a password that is short, too long, common or easy to guess for this person.

    zxcvbn ships a maintained list of the 30,000 most common passwords, with English words,
    names and keyboard patterns; the person's own name and email count as guessable too.
    """
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise ValidationError(f"Use at least {minimum} characters.")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationError(f"Use at most {PASSWORD_MAX_LENGTH} characters.")
    if _mostly_about(password, person):
        warning = "Do not build the password from your name or email address"
    else:
        # zxcvbn refuses more than 72 characters; a prefix that strong makes the whole so.
        result = zxcvbn(password[:ZXCVBN_MAX_LENGTH])
        if result["score"] >= PASSWORD_MIN_SCORE:
            return
        warning = result["feedback"]["warning"] or "This password is too easy to guess"
    raise ValidationError(
        f"{warning.rstrip('.')}. Try a few unrelated words together, or a longer phrase."
    )


def _mostly_about(password: str, person) -> bool:
    """Whether little is left of the password once the person's name, email, the company and
    Storyboard are taken out of it: an attacker tries those first (zxcvbn's own check of such
    words scores "nellstarter1" as strong)."""
    typed = re.sub(r"[^a-z0-9]", "", password.lower())
    words = [person.email, current_app.config["COMPANY_NAME"], "storyboard", *person.name.split()]
    parts = {part for word in words for part in re.split(r"[^a-z0-9]+", word.lower()) if len(part) >= 3}
    left = typed
    for part in sorted(parts, key=len, reverse=True):
        left = left.replace(part, "")
    return left != typed and len(re.sub(r"[0-9]", "", left)) < 6


class SetPasswordForm(FlaskForm):
    """A new password; `person` is whose it will be (their name and email must not guess it)."""

    password = PasswordField(
        "New password", validators=[DataRequired("Choose a password.")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired("Repeat the password."), EqualTo("password", "The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set password and sign in")

    def __init__(self, person, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_password(self, field) -> None:
        check_new_password(field.data, self.person)


class ChangePasswordForm(SetPasswordForm):
    """A signed-in person's new password, given with the one they have now."""

    current = PasswordField(
        "Current password",
        validators=required_text("Enter your current password.", at_most=PASSWORD_MAX_LENGTH),
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Change password")

    def validate_current(self, field) -> None:
        if not self.person.check_password(field.data):
            raise ValidationError("That is not your current password.")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=email_address())
    submit = SubmitField("Email me a link")
