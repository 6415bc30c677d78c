"""/people/import: admins upload a CSV of people, check its preview, then apply it.

Added to the people blueprint by `register` (called from storyboard/people/views.py). The work
is in storyboard/people/imports.py; this module reads the form and picks the page."""
from __future__ import annotations

import smtplib

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from storyboard import mail
from storyboard.auth.roles import admin_required
from storyboard.errors import MESSAGES
from storyboard.extensions import db
from storyboard.forms import form_status
from storyboard.people import imports
from storyboard.people.forms import ApplyImportForm, ImportForm
from storyboard.people.importer import COLUMNS, FileRefused
from storyboard.text import one_line

UPLOAD_ENDPOINT = "people.upload_people"  # the only people route that takes a file
FORM_MARGIN = 16 * 1024  # the checkboxes, the CSRF token and the multipart boundaries
CHOOSE_AGAIN = "Browsers forget a chosen file when a page comes back, so choose the file again."


def _allow_the_upload(endpoint: str | None, values: dict | None) -> None:
    """Let an admin's CSV be larger than other forms (MAX_CONTENT_LENGTH); see storyboard/photos."""
    if endpoint == UPLOAD_ENDPOINT and current_user.is_authenticated:
        request.max_content_length = current_app.config["PEOPLE_IMPORT_MAX_BYTES"] + FORM_MARGIN


def _too_large(error: RequestEntityTooLarge):
    db.session.rollback()
    if request.endpoint != UPLOAD_ENDPOINT:  # another people form: the app's usual 413 page
        return render_template("errors/error.html", code=413, message=MESSAGES[413], title=error.name), 413
    form = ImportForm(formdata=None)
    form.file.errors = [f"That file is too large: at most {_max_megabytes()} MB."]
    return _upload_page(form, 413)


def _max_megabytes() -> str:
    return f"{current_app.config['PEOPLE_IMPORT_MAX_BYTES'] / (1024 * 1024):g}"


def _upload_page(form: ImportForm, status: int, problems=None, message: str | None = None):
    return render_template("people/import.html", form=form, problems=problems or [], message=message,
                           columns=COLUMNS, max_megabytes=_max_megabytes()), status


def import_people():
    return _upload_page(ImportForm(formdata=None), 200)


def upload_people():
    form = ImportForm()
    if not form.validate_on_submit():
        return _upload_page(form, form_status(form))
    upload = form.file.data
    data = upload.read(current_app.config["PEOPLE_IMPORT_MAX_BYTES"] + 1)
    upload.close()  # a large file was spooled to disk: free it now, whatever comes next
    if len(data) > current_app.config["PEOPLE_IMPORT_MAX_BYTES"]:
        form.file.errors = [f"That file is too large: at most {_max_megabytes()} MB. {CHOOSE_AGAIN}"]
        return _upload_page(form, 413)
    # A name as the browser sent it, shown and audited: one line, no control characters (NUL
    # cannot be stored on PostgreSQL), no lone surrogates, no folders.
    sent_name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    filename = one_line(sent_name.encode("utf-8", "replace").decode("utf-8"))[:255] or "people.csv"
    try:
        record, preview = imports.upload(current_user, data, filename, form.deactivate_missing.data,
                                         form.invite.data)
    except FileRefused as error:
        db.session.rollback()
        form.file.errors = [f"{error} {CHOOSE_AGAIN}"]
        return _upload_page(form, 400)
    if record is None:
        db.session.commit()  # the forgotten uploads' purge
        return _upload_page(form, 400, preview.problems, f"Nothing can be imported from {filename}: "
                            "fix these rows and upload it again. " + CHOOSE_AGAIN)
    db.session.commit()
    return redirect(url_for("people.import_preview", import_id=record.id))


def _preview_page(record, status: int = 200, message: str | None = None):
    preview = imports.preview_record(record) if record.applied_at is None else None
    form = ApplyImportForm(formdata=None, fingerprint=preview.fingerprint if preview else "")
    return render_template("people/import_preview.html", record=record, preview=preview, form=form,
                           message=message), status


def import_preview(import_id: int):
    return _preview_page(imports.pending_or_404(import_id))


def apply_import(import_id: int):
    record = imports.pending_or_404(import_id)
    form = ApplyImportForm()
    if not form.validate_on_submit():
        return _preview_page(record, 400, "Look at the preview below, then apply it.")
    try:
        plan, invitations = imports.apply(current_user, record, form.fingerprint.data)
    except imports.PreviewChanged as error:
        db.session.rollback()
        return _preview_page(imports.pending_or_404(import_id), 409, str(error))
    db.session.commit()
    try:
        sent = mail.send(invitations)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("People import %s: invitations failed", import_id)
        flash(f"{plan.summary()} The invitations could not be sent: resend them from each person's "
              "admin page once mail works again.", "error")
    else:
        invited = f" Sent {sent} invitation{'' if sent == 1 else 's'}." if record.invite else ""
        flash(f"{plan.summary()}{invited}", "success")
    return redirect(url_for("people.import_preview", import_id=import_id))


def register(bp: Blueprint) -> None:
    """Add the import page's routes (admins only) to the people blueprint."""
    bp.url_value_preprocessor(_allow_the_upload)
    bp.register_error_handler(RequestEntityTooLarge, _too_large)
    for rule, view, methods in (
        ("/import", import_people, ["GET"]),
        ("/import", upload_people, ["POST"]),
        ("/import/<int:import_id>", import_preview, ["GET"]),
        ("/import/<int:import_id>/apply", apply_import, ["POST"]),
    ):
        bp.add_url_rule(rule, view.__name__, admin_required(view), methods=methods)
