"""Sign in, sign out, set a password from an invitation, reset a forgotten one."""
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from storyboard.auth import service
from storyboard.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from storyboard.extensions import db, limiter
from storyboard.forms import form_status

bp = Blueprint("auth", __name__, url_prefix="/auth")

# Everything else needs a signed-in person; new routes are private unless listed here.
PUBLIC_ENDPOINTS = frozenset({
    "auth.login", "auth.set_password", "auth.forgot_password", "auth.reset_password",
    "health.healthz", "static", "digest.unsubscribe",
})

TOO_MANY_ATTEMPTS = "Too many failed sign-in attempts. Please wait a minute and try again."


@bp.before_app_request
def require_sign_in():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    return response.status_code == 401


def _submitted_email() -> str:
    return "login-email:" + request.form.get("email", "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, error_message=TOO_MANY_ATTEMPTS)
@limiter.limit(
    _login_limit, methods=["POST"], deduct_when=_failed, error_message=TOO_MANY_ATTEMPTS,
    key_func=_submitted_email,
)
def login():
    if current_user.is_authenticated:
        return redirect(service.safe_next(request.args.get("next")) or url_for("stories.feed"))
    form = LoginForm()
    if not form.validate_on_submit():
        status = form_status(form)
        return render_template("auth/login.html", form=form), status
    person = service.authenticate(form.email.data, form.password.data)
    if person is None:
        form.password.errors.append("That email and password do not match an active account.")
        return render_template("auth/login.html", form=form), 401
    login_user(person, remember=form.remember.data)
    db.session.commit()
    return redirect(service.safe_next(request.args.get("next")) or url_for("stories.feed"))


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    max_age = current_app.config["INVITATION_MAX_AGE"]
    return _password_from_link(token, service.INVITE_SALT, max_age, "Welcome to Storyboard!")


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    return _password_from_link(token, service.RESET_SALT, max_age, "Your password has been changed.")


def _password_from_link(token: str, salt: str, max_age: int, done_message: str):
    person = service.person_for_token(token, salt, max_age)
    if person is None:
        return render_template("auth/link_invalid.html"), 400
    form = SetPasswordForm()
    if not form.validate_on_submit():
        status = form_status(form)
        return render_template("auth/set_password.html", form=form, person=person), status
    person.set_password(form.password.data)
    db.session.commit()
    login_user(person)
    flash(done_message, "success")
    return redirect(url_for("stories.feed"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"], error_message="Too many requests for a reset link. Try again later.")
def forgot_password():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = form_status(form)
        return render_template("auth/forgot.html", form=form), status
    person = service.find_by_email(form.email.data)
    if person is not None and person.active:
        service.send_password_reset(person)
    # The same answer either way, so the form cannot be used to discover who has an account.
    flash("If that address belongs to an account, a link to reset the password is on its way.", "info")
    return redirect(url_for("auth.login"))
