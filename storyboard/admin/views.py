"""Admin pages: values (curators and admins), people, the digest's schedule and the audit log
(admins only)."""
from __future__ import annotations

import smtplib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from storyboard.admin import schedule, service
from storyboard.admin.forms import (
    NAME_TAKEN,
    AuditFilterForm,
    DigestScheduleForm,
    PeopleFilterForm,
    ResetSettingForm,
    RoleForm,
    ValueForm,
    time_zone_names,
)
from storyboard.auth.roles import admin_required, curator_required
from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.forms import check_one_button, form_status
from storyboard.models import AuditEntry, Person, Value
from storyboard.pagination import paginate
from storyboard.people import invitations

bp = Blueprint("admin", __name__, url_prefix="/admin")

AUDIT_PAGE_SIZE = 50
PERSON_HISTORY = 20


# Values.


@bp.get("/values")
@curator_required
def values():
    return _render_values(ValueForm())


def _render_values(form: ValueForm):
    return render_template("admin/values.html", rows=service.values_with_counts(), form=form)


@bp.post("/values")
@curator_required
def create_value():
    form = ValueForm()
    if not form.validate_on_submit():
        return _render_values(form), 400
    value = _save_or_name_taken(
        form, lambda: service.create_value(current_user, form.name.data, form.description.data)
    )
    if value is None:
        return _render_values(form), 400
    flash(f"Added “{value.name}”. It is offered on the nomination form from now on.", "success")
    return redirect(url_for("admin.values"))


def _save_or_name_taken(form: ValueForm, change):
    """Make the change and commit, returning its result; None if someone took the name (or its
    slug) between the form's check and the save, with the form saying so."""
    try:
        result = change()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.name.errors = [*form.name.errors, NAME_TAKEN]
        return None
    return result


def _value(value_id: int) -> Value:
    return db.get_or_404(Value, value_id)


@bp.route("/values/<int:value_id>/edit", methods=["GET", "POST"])
@curator_required
def edit_value(value_id: int):
    value = _value(value_id)
    form = ValueForm(obj=value, editing=value)
    if not form.validate_on_submit():
        status = form_status(form)
        return render_template("admin/value_edit.html", value=value, form=form), status
    old_name = value.name
    changed = _save_or_name_taken(
        form, lambda: service.update_value(current_user, value, form.name.data, form.description.data)
    )
    if changed is None:
        return render_template("admin/value_edit.html", value=_value(value_id), form=form), 400
    if not changed:
        flash("Nothing changed.", "info")
    elif old_name != value.name:
        flash(f"Renamed “{old_name}” to “{value.name}”. Its address stays the same.", "success")
    else:
        flash(f"Saved “{value.name}”.", "success")
    return redirect(url_for("admin.values"))


@bp.post("/values/<int:value_id>/move-up", endpoint="move_value_up", defaults={"offset": -1})
@bp.post("/values/<int:value_id>/move-down", endpoint="move_value_down", defaults={"offset": +1})
@curator_required
def move_value(value_id: int, offset: int):
    value = _value(value_id)
    check_one_button()
    neighbour = service.move_value(current_user, value, offset)
    db.session.commit()
    where = "above" if offset < 0 else "below"
    flash(f"Moved “{value.name}” {where} “{neighbour.name}”.", "success")
    return redirect(url_for("admin.values", _anchor=f"value-{value.id}"))


@bp.post("/values/<int:value_id>/retire", endpoint="retire_value", defaults={"retired": True})
@bp.post("/values/<int:value_id>/restore", endpoint="restore_value", defaults={"retired": False})
@curator_required
def set_value_retired(value_id: int, retired: bool):
    """Retire a value (stories keep it, the nomination form stops offering it) or bring it back;
    a 409 when it already is."""
    value = _value(value_id)
    check_one_button()
    if retired:
        service.retire_value(current_user, value)
        done = f"Retired “{value.name}”. Stories that show it keep it."
    else:
        service.restore_value(current_user, value)
        done = f"Restored “{value.name}”. It is offered on the nomination form again."
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("admin.values"))


# People.


@bp.get("/people")
@admin_required
def people():
    form = PeopleFilterForm(formdata=request.args)
    if not form.validate():
        return render_template("admin/people.html", form=form, page=None), 400
    statement = service.people_statement(form.q.data, form.role.data, form.status.data)
    page = paginate(statement, current_app.config["DIRECTORY_PAGE_SIZE"])
    return render_template("admin/people.html", form=form, page=page)


def _person(person_id: int) -> Person:
    return db.get_or_404(Person, person_id)


def _render_person(person: Person, role_form: RoleForm | None = None, problem: str | None = None):
    history = service.audit_statement(
        service.AuditFilters(entity_type="person", entity_id=person.id)
    ).limit(PERSON_HISTORY)
    return render_template(
        "admin/person.html",
        person=person,
        role_form=role_form or RoleForm(role=person.role),
        history=db.session.scalars(history).all(),
        problem=problem,
    )


@bp.get("/people/<int:person_id>")
@admin_required
def person(person_id: int):
    return _render_person(_person(person_id))


@bp.post("/people/<int:person_id>/role")
@admin_required
def change_role(person_id: int):
    person = _person(person_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _render_person(person, form), 400
    try:
        changed = service.change_role(current_user, person, form.role.data)
    except service.Refused as refused:
        db.session.rollback()
        # The page again, with the role they picked and why it cannot be, rather than a dead end.
        return _render_person(_person(person_id), form, str(refused)), 409
    db.session.commit()
    if changed:
        flash(f"{person.name} is now {form.role.data}.", "success")
    else:
        flash(f"{person.name} was already {person.role}; nothing changed.", "info")
    if person.id == current_user.id and not person.is_admin:
        return redirect(url_for("stories.feed"))  # their own page here is no longer theirs to see
    return redirect(url_for("admin.person", person_id=person.id))


@bp.post("/people/<int:person_id>/deactivate", endpoint="deactivate", defaults={"active": False})
@bp.post("/people/<int:person_id>/reactivate", endpoint="reactivate", defaults={"active": True})
@admin_required
def set_active(person_id: int, active: bool):
    """Deactivate or reactivate someone; refused ones show their page again with the reason."""
    person = _person(person_id)
    check_one_button()
    change = service.reactivate if active else service.deactivate
    try:
        change(current_user, person)
    except service.Refused as refused:
        db.session.rollback()
        return _render_person(_person(person_id), problem=str(refused)), 409
    db.session.commit()
    if active:
        flash(f"Reactivated {person.name}. They can sign in again as {person.role}.", "success")
    else:
        flash(f"Deactivated {person.name}. They can no longer sign in.", "success")
    return redirect(url_for("admin.person", person_id=person.id))


@bp.post("/people/<int:person_id>/resend-invitation")
@admin_required
def resend_invitation(person_id: int):
    """A new invitation link for someone who has not set a password yet."""
    check_one_button()
    person = _person(person_id)
    try:
        invitations.record_resent_invitation(current_user, person)
    except service.Refused as refused:
        return _render_person(person, problem=str(refused)), 409
    try:
        invitations.send_invitation(person)
    except (OSError, smtplib.SMTPException):
        # Nothing was sent, so nothing is logged; the admin can simply try again.
        current_app.logger.exception("Could not send an invitation to %s", person.email)
        db.session.rollback()
        abort(503, "The mail server could not be reached, so the invitation was not sent. Try again later.")
    db.session.commit()
    days = invitations.invitation_days()
    flash(f"Sent {person.name} a new invitation; the link works for {days} days.", "success")
    return redirect(url_for("admin.person", person_id=person.id))


# The digest's schedule.


@bp.get("/digest")
@admin_required
def digest_schedule():
    return _render_schedule(DigestScheduleForm(data=schedule.in_use()))


def _render_schedule(form: DigestScheduleForm):
    return render_template(
        "admin/digest_schedule.html",
        form=form,
        settings={item.name: item for item in schedule.current()},
        next_cut=schedule.next_cut_text(utcnow()),
        time_zones=time_zone_names(),
    )


@bp.post("/digest")
@admin_required
def save_digest_schedule():
    form = DigestScheduleForm()
    if not form.validate_on_submit():
        return _render_schedule(form), 400
    changed = schedule.save(current_user, form.schedule())
    db.session.commit()
    if changed:
        flash(f"Saved. The next issue is cut on {schedule.next_cut_text(utcnow())}.", "success")
    else:
        flash("Nothing changed.", "info")
    return redirect(url_for("admin.digest_schedule"))


@bp.post("/digest/reset")
@admin_required
def reset_digest_schedule():
    """Give one of the schedule's settings back to the environment."""
    form = ResetSettingForm()
    if not form.validate_on_submit():
        abort(400, "Choose the day, the time or the time zone, and try again.")
    if schedule.reset(current_user, form.setting.data):
        db.session.commit()
        flash(f"The {schedule.LABELS[form.setting.data]} is the environment's again. "
              f"The next issue is cut on {schedule.next_cut_text(utcnow())}.", "success")
    else:
        flash(f"The {schedule.LABELS[form.setting.data]} already comes from the environment.", "info")
    return redirect(url_for("admin.digest_schedule"))


# The audit log.


@bp.get("/audit")
@admin_required
def audit():
    form = AuditFilterForm(formdata=request.args)
    actions, entity_types = service.audit_choices()
    if not form.validate():
        page, status = None, 400
    else:
        page = paginate(service.audit_statement(form.to_filters()), AUDIT_PAGE_SIZE)
        status = 200
    # The filters in use, for the pager's links.
    filters = {field.name: field.data for field in form if field.data}
    return render_template(
        "admin/audit.html",
        form=form,
        page=page,
        filters=filters,
        actions=actions,
        entity_types=entity_types,
        diff=service.diff,
        entity_link=entity_link,
    ), status


def entity_link(entry: AuditEntry) -> str | None:
    """Where the record an audit entry is about can be seen, if anywhere."""
    endpoints = {
        "story": ("stories.show", "story_id"),
        "person": ("admin.person", "person_id"),
        "value": ("admin.edit_value", "value_id"),
    }
    if entry.entity_type == schedule.ENTITY_TYPE:
        return url_for("admin.digest_schedule")  # the only settings stored so far
    if entry.entity_type not in endpoints:
        return None
    endpoint, argument = endpoints[entry.entity_type]
    return url_for(endpoint, **{argument: entry.entity_id})
