"""Static files under names that carry a hash of their content, so browsers keep them a year.

`url_for("static", filename="css/storyboard.css")` gives /static/css/storyboard.<hash>.css,
where <hash> is the first 12 hex digits of the file's SHA-256, read once when the app starts.
A new release changes a file's bytes and so its name: browsers fetch it once and never ask again
(`Cache-Control: public, max-age=31536000, immutable`) until the next change.

What each kind of address gets:

- the current fingerprinted name: the file, cached for a year, immutable;
- the plain name (/static/css/storyboard.css, in an old bookmark or email): the file as it is,
  with Flask's usual short caching (`SEND_FILE_MAX_AGE_DEFAULT`, by default `no-cache`: the
  browser checks its copy with the ETag on every use);
- a name with another hash (a page from another release, say from a worker not yet restarted
  during a deploy): the current file with `no-cache`, never a year. Answering 404 would leave
  that page unstyled; caching it for a year could pin the wrong bytes under a name that promises
  other bytes;
- a fingerprinted name whose file changed on disk after start (files replaced under a running
  worker, or an edit while developing): the same, `no-cache`, since the bytes no longer match.

Stylesheets name no other static file (no `url(...)` in static/css/); a relative `url()` added
later would reach the plain name, which works, revalidated each time.

The hashes are computed from the files' content at start-up, not per request. Templates use
`static_url(...)`, which remembers each file's address for the process, as the icon macro asks for
the sprite's address dozens of times on one page.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, has_request_context, request, send_from_directory, session, url_for
from flask.wrappers import Response

FINGERPRINT_LENGTH = 12  # hex digits of SHA-256: ample to tell two versions of one file apart
IMMUTABLE = "public, max-age=31536000, immutable"
ONE_YEAR = 365 * 24 * 3600
# "css/storyboard.3f2a9c1b4d5e.css" -> stem "css/storyboard", suffix ".css"
FINGERPRINTED = re.compile(rf"^(?P<stem>.+)\.[0-9a-f]{{{FINGERPRINT_LENGTH}}}(?P<suffix>\.[^./]+)?$")


@dataclass(frozen=True)
class Asset:
    filename: str  # as under the static folder, with "/" between folders
    fingerprinted: str  # the same with the content's hash before the extension
    path: Path
    size: int  # size and modification time when hashed, to notice a file replaced since
    mtime_ns: int

    def unchanged_on_disk(self) -> bool:
        try:
            found = self.path.stat()
        except OSError:
            return False
        return (found.st_size, found.st_mtime_ns) == (self.size, self.mtime_ns)


def fingerprinted_name(filename: str, digest: str) -> str:
    """"css/storyboard.css" -> "css/storyboard.<digest>.css"; "LICENSE" -> "LICENSE.<digest>"."""
    folder, _, name = filename.rpartition("/")
    stem, dot, extension = name.rpartition(".")
    if not stem:  # no extension, or a dotfile such as ".well-known"
        stem, dot, extension = name, "", ""
    named = f"{stem}.{digest}{dot}{extension}"
    return f"{folder}/{named}" if folder else named


def hash_folder(folder: Path) -> dict[str, Asset]:
    """Every file under `folder`, by its plain name, with its fingerprinted name."""
    assets = {}
    for directory, _, names in os.walk(folder):
        for name in names:
            path = Path(directory) / name
            filename = path.relative_to(folder).as_posix()
            stat = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:FINGERPRINT_LENGTH]
            assets[filename] = Asset(filename, fingerprinted_name(filename, digest), path, stat.st_size,
                                     stat.st_mtime_ns)
    return assets


class Fingerprints:
    """The static folder's files and their fingerprinted names, for one app."""

    def __init__(self, folder: Path, enabled: bool):
        self.folder = folder
        self.enabled = enabled
        self.by_name = hash_folder(folder) if enabled else {}
        self.by_fingerprint = {asset.fingerprinted: asset for asset in self.by_name.values()}
        self._urls: dict[tuple[str, str], str] = {}

    def static_url(self, filename: str) -> str:
        """url_for("static", filename=...), worked out once per process and application root."""
        if not has_request_context():
            return url_for("static", filename=filename)
        key = (request.script_root, filename)
        url = self._urls.get(key)
        if url is None:
            url = self._urls[key] = url_for("static", filename=filename)
        return url

    def add_fingerprint(self, endpoint: str, values: dict) -> None:
        """A url_defaults hook: every url_for("static", ...) names the current fingerprint."""
        if endpoint == "static":
            asset = self.by_name.get(values.get("filename"))
            if asset is not None:
                values["filename"] = asset.fingerprinted

    def serve(self, filename: str) -> Response:
        """The `static` endpoint's view, for fingerprinted, plain and outdated names alike."""
        asset = self.by_fingerprint.get(filename)
        if asset is not None:
            if not asset.unchanged_on_disk():  # its bytes are no longer those the name promises
                return self._revalidated(asset.filename)
            response = send_from_directory(self.folder, asset.filename, max_age=ONE_YEAR)
            response.headers["Cache-Control"] = IMMUTABLE
            return response
        outdated = FINGERPRINTED.match(filename)
        if filename not in self.by_name and outdated:
            plain = outdated["stem"] + (outdated["suffix"] or "")
            if plain in self.by_name:
                return self._revalidated(plain)
        return current_app.send_static_file(filename)  # Flask's own caching (SEND_FILE_MAX_AGE_DEFAULT)

    def _revalidated(self, filename: str) -> Response:
        """The file as it is now, which the browser must check again (ETag) before each use."""
        response = send_from_directory(self.folder, filename, max_age=None)
        response.headers["Cache-Control"] = "no-cache"
        return response


def register_fingerprints(app: Flask) -> Fingerprints:
    """Fingerprint the app's static files (unless STATIC_FINGERPRINTS is off, or in debug mode,
    where an edited stylesheet must show on the next reload) and give templates `static_url`."""
    enabled = bool(app.config.get("STATIC_FINGERPRINTS", True)) and not app.debug and app.has_static_folder
    fingerprints = Fingerprints(Path(app.static_folder or "."), enabled)
    app.extensions["storyboard_fingerprints"] = fingerprints
    app.jinja_env.globals["static_url"] = fingerprints.static_url
    if enabled:
        app.url_defaults(fingerprints.add_fingerprint)
        app.view_functions["static"] = fingerprints.serve

    @app.after_request
    def static_files_do_not_vary_by_cookie(response: Response) -> Response:
        """Flask-Login's after-request function reads the session on every response, so Flask
        would add `Vary: Cookie`: a browser then refuses its cached copy of a file whenever the
        session cookie changed (a flash message changes it) and asks again. A static file is the
        same whoever asks. Registered before the extensions' functions, so it runs after them."""
        if request.endpoint == "static" and hasattr(session, "accessed"):
            session.accessed = False
        return response

    return fingerprints
