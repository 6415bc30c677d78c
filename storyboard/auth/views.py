"""Sign in (with a password or single sign-on), sign out, set a password from an invitation,
reset a forgotten one, change it."""
from flask import (
    Blueprint,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from storyboard.auth import devices, oidc, service, sessions, sso
from storyboard.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from storyboard.extensions import db, limiter
from storyboard.forms import form_status

bp = Blueprint("auth", __name__, url_prefix="/auth")
# The addresses people type from habit (/login, /logout), outside /auth: see short_login below.
shortcuts = Blueprint("shortcuts", __name__)

# Everything else needs a signed-in person; new routes are private unless listed here.
PUBLIC_ENDPOINTS = frozenset({
    "auth.login", "auth.set_password", "auth.forgot_password", "auth.reset_password",
    "auth.sso_start", "auth.sso_callback",
    "shortcuts.login", "shortcuts.logout", "shortcuts.favicon",
    "health.healthz", "static", "digest.unsubscribe",
    # Integrations that check their own credential, never a session (README "Integrations"):
    "chat.slack_command",  # Slack's signature (storyboard/chat/slack.py)
    "feeds.stories", "feeds.value", "feeds.person",  # a feed token in the URL (storyboard/feeds/)
    # SCIM's bearer token (storyboard/scim/views.py)
    "scim.users", "scim.search_users", "scim.search_everything", "scim.create_user", "scim.user",
    "scim.replace_user", "scim.patch_user", "scim.delete_user", "scim.service_provider_config",
    "scim.resource_types", "scim.resource_type", "scim.schemas", "scim.schema",
})

TOO_MANY_ATTEMPTS = "Too many failed sign-in attempts from here. Please wait a minute and try again."


@bp.app_context_processor
def password_helpers() -> dict:
    """`may_use_password(person)` for templates: links to change a password show only to
    people who have one to change (everyone, unless passwords are off: storyboard/auth/sso.py)."""
    return {"may_use_password": sso.may_use_password}


@bp.before_app_request
def require_sign_in():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        response = current_app.login_manager.unauthorized()
        if current_app.config["SESSION_COOKIE_NAME"] in request.cookies:
            # A session that ended without signing out (idle, expired, ended by an admin): the
            # pages its browser kept to revalidate (storyboard/fragments.py) go too.
            response.headers["Clear-Site-Data"] = '"cache"'
        return response
    return None


def _failed(response) -> bool:
    return response.status_code == 401


def _submitted_email() -> str:
    return request.form.get("email", "").strip().lower()[:254]


def _address_and_account() -> str:
    """Failed sign-ins are counted per address and account: guessing someone's password from
    one place slows that place down, while the owner signs in from theirs as usual. A browser
    that has signed in to the account before is counted on its own (see auth/devices.py)."""
    email = _submitted_email()
    device = devices.device_for(email)
    return f"login-device:{device}" if device else f"login:{get_remote_address()}:{email}"


def _known_device() -> bool:
    return devices.device_for(_submitted_email()) is not None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"], methods=["POST"],
    deduct_when=_failed, error_message=TOO_MANY_ATTEMPTS, exempt_when=_known_device,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed,
    error_message=TOO_MANY_ATTEMPTS, key_func=_address_and_account,
)
def login():
    if current_user.is_authenticated:
        return redirect(service.safe_next(request.args.get("next")) or url_for("stories.feed"))
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, form_status(form))
    person = service.authenticate(form.email.data, form.password.data)
    if person is None:
        form.password.errors.append(
            "That email and password do not match an active account." if sso.passwords_for_everyone()
            else "That email and password do not match an emergency administrator account.")
        return _login_page(form, 401)
    if not sso.may_use_password(person):
        # Only someone who knew the password learns this; wrong guesses get the 401 above.
        form.email.errors.append(sso.passwords_off_message())
        return _login_page(form, 403)
    _sign_in(person, remember=form.remember.data)
    response = redirect(service.safe_next(request.args.get("next")) or url_for("stories.feed"))
    devices.remember_device(response, person.email)
    return response


def _login_page(form: LoginForm, status: int = 200, sso_error: str | None = None, back_to: str | None = None):
    """The sign-in page: a button per single sign-on provider, and the password form unless
    passwords are off (then only behind the break-glass link, or once it has been used)."""
    back_to = service.safe_next(back_to or request.args.get("next"))
    show_password = (sso.passwords_for_everyone() or request.method == "POST"
                     or request.args.get("break_glass") == "1")
    return render_template(
        "auth/login.html", form=form, providers=oidc.providers(), back_to=back_to,
        show_password=show_password, passwords_off=not sso.passwords_for_everyone(), sso_error=sso_error,
    ), status


def _sign_in(person, remember: bool = False) -> None:
    """A new session: nothing of the anonymous one (its CSRF token included) carries over."""
    session.clear()
    sessions.start(person, remember=remember)
    db.session.commit()
    login_user(person, remember=remember)


@bp.post("/logout")
@login_required
def logout():
    sessions.end(current_user.session_token)
    db.session.commit()
    # Cleared before logout_user(), which marks the "keep me signed in" cookie for deletion.
    session.clear()
    logout_user()
    flash("You have signed out.", "info")
    response = redirect(url_for("auth.login"))
    # The feed, stories and profiles may be kept by the browser to revalidate (ETag): whoever
    # uses this browser next must not find them in its cache or behind the back button.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@shortcuts.get("/login", endpoint="login")
def short_login():
    """/login is where most sites sign in: send people to the sign-in page, keeping `next`."""
    back_to = service.safe_next(request.args.get("next"))
    return redirect(url_for("auth.login", next=back_to) if back_to else url_for("auth.login"))


@shortcuts.get("/favicon.ico", endpoint="favicon")
def favicon():
    """Browsers ask for /favicon.ico on their own (pages name static/favicon.svg)."""
    return redirect(url_for("static", filename="favicon.svg"))


@shortcuts.get("/logout", endpoint="logout")
def short_logout():
    """/logout typed or followed from a link: a GET must not sign anyone out (a link or an image
    on another site could), so a signed-in person gets the sign-out button, one click away, and
    someone already signed out gets the sign-in page, where signing out would have left them."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html")


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
    if not sso.may_use_password(person):
        return _passwords_off(person)
    form = SetPasswordForm(person)
    if not form.validate_on_submit():
        status = form_status(form)
        return render_template("auth/set_password.html", form=form, person=person), status
    person.set_password(form.password.data)
    sessions.end_all(person)  # whoever knew the old password is signed out everywhere
    _sign_in(person)
    flash(done_message, "success")
    return redirect(url_for("stories.feed"))


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=lambda r: r.status_code == 400,
    error_message="Too many attempts. Please wait a minute and try again.",
    key_func=lambda: f"password-change:{current_user.id}",
)
def change_password():
    """A signed-in person changes their password; their other sessions end."""
    if not sso.may_use_password(current_user):
        return _passwords_off(current_user)
    form = ChangePasswordForm(current_user)
    if not form.validate_on_submit():
        return render_template("auth/change_password.html", form=form), form_status(form)
    current_user.set_password(form.password.data)
    sessions.end_all(current_user, keep=current_user.session_token)
    db.session.commit()
    flash("Your password has been changed. You are signed out everywhere else.", "success")
    return redirect(url_for("preferences.edit"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"], error_message="Too many requests for a reset link. Try again later.")
def forgot_password():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = form_status(form)
        return render_template("auth/forgot.html", form=form), status
    if sso.passwords_for_everyone():
        _after_response(service.send_password_reset, form.email.data)
        # The same answer either way, so the form cannot be used to discover who has an account.
        flash("If that address belongs to an account, a link to reset the password is on its way.", "info")
    else:
        _after_response(_send_break_glass_reset, form.email.data)
        flash("If that address belongs to an emergency administrator account, a link to reset the "
              f"password is on its way. {sso.passwords_off_message()}", "info")
    return redirect(url_for("auth.login"))


def _send_break_glass_reset(email: str) -> None:
    if sso.is_break_glass(service.find_by_email(email)):
        service.send_password_reset(email)


def _passwords_off(person):
    """Setting, resetting or changing a password, refused while passwords are off for `person`."""
    return render_template("auth/passwords_off.html", person=person, providers=oidc.providers(),
                           message=sso.passwords_off_message()), 403


def _after_response(work, *args) -> None:
    """Run `work(*args)` once the response has been sent, in the app's context.

    Whether an account exists decides whether mail is sent; doing it after the response keeps
    that out of the time the page takes. A failure is logged, never shown.
    """
    app = current_app._get_current_object()

    @after_this_request
    def defer(response):
        def run():
            with app.app_context():
                try:
                    work(*args)
                except Exception:  # noqa: BLE001 - nobody is left to tell; log it
                    app.logger.exception("Work after the response failed")

        response.call_on_close(run)
        return response


# Single sign-on (OpenID Connect): storyboard/auth/oidc.py speaks the protocol, sso.py decides
# whose account it is. The start is a GET that only sends the browser to the provider; the
# callback is a GET by protocol, and its `state` (bound to this browser's session) is what a
# form's CSRF token is elsewhere.


UNKNOWN_PROVIDER = "That way of signing in is not set up here. Choose one on this page."


def _unknown_provider(back_to: str | None):
    """A provider name that is not (or no longer) configured, as from an old bookmark: the
    sign-in page, which lists the ways that are."""
    flash(UNKNOWN_PROVIDER, "error")
    return redirect(url_for("auth.login", next=back_to) if back_to else url_for("auth.login"))


@bp.get("/sso/<provider>")
def sso_start(provider: str):
    back_to = service.safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(back_to or url_for("stories.feed"))
    found = oidc.find(provider)
    if found is None:
        return _unknown_provider(back_to)
    session["sso_next"] = back_to
    try:
        return oidc.authorization_redirect(found)
    except oidc.SignInFailed as failure:
        return _login_page(LoginForm(), failure.status, str(failure))


@bp.get("/sso/<provider>/callback")
def sso_callback(provider: str):
    if current_user.is_authenticated:
        return redirect(url_for("stories.feed"))
    found = oidc.find(provider)
    if found is None:
        return _unknown_provider(None)
    try:
        person = sso.person_for(found, oidc.finish(found))
    except oidc.SignInFailed as failure:
        db.session.rollback()
        return _login_page(LoginForm(), failure.status, str(failure), session.get("sso_next"))
    back_to = service.safe_next(session.get("sso_next"))
    _sign_in(person)
    return redirect(back_to or url_for("stories.feed"))
