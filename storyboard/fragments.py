"""Render less, never serve stale: cached story cards, cheap links, and conditional pages.

A story card is cached under a key made from everything the card shows (title, excerpt source,
dates, counts, its nominees' names, its values' names and slugs) plus a fingerprint of the code
and templates that draw it. Nothing is ever invalidated by hand: an edit, a rename, a new
applause or a redaction changes what goes into the key, so the next request misses and renders
the new card, on every worker and every host. Entries that are no longer asked for simply age
out (Redis: CACHE_DEFAULT_TIMEOUT; in-process: the least recently used go past CACHE_THRESHOLD).

Pages that a person reads again and again (feed, story, profile) carry an ETag made from their
bytes, so a browser revalidating a page whose content did not change gets a 304.
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps
from pathlib import Path

from cachetools import LRUCache
from flask import Flask, current_app, has_request_context, make_response, request, session, url_for
from flask_caching.backends.base import BaseCache
from markupsafe import Markup

from storyboard.extensions import cache

log = logging.getLogger(__name__)

CARD_TEMPLATE = "_partials/story_card.html"
IN_PROCESS = "storyboard.fragments.CardLRUCache"  # CACHE_TYPE's default (storyboard/config.py)
URL_CACHE_SIZE = 8192
# What a CSRF token field looks like in our pages: its signed value changes every second, the
# session's token behind it does not (WTF_CSRF_TIME_LIMIT is None: it lives as long as the session).
CSRF_FIELD = re.compile(rb'(name="csrf_token"[^>]*value=")[^"]*(")')


def init_app(app: Flask) -> None:
    """The cache (Redis when REDIS_URL is set, else a bounded in-process one), the templates'
    story_cards() and a url_for that remembers the links it built."""
    if app.config.get("REDIS_URL") and app.config.get("CACHE_TYPE") == IN_PROCESS:
        app.config["CACHE_TYPE"] = "RedisCache"
        app.config.setdefault("CACHE_REDIS_URL", app.config["REDIS_URL"])
        # A slow or absent Redis costs a page a second at most: the cards are then drawn anew.
        app.config.setdefault("CACHE_OPTIONS", {"socket_timeout": 1, "socket_connect_timeout": 1})
    cache.init_app(app)
    app.extensions["storyboard_render_version"] = render_version(app)
    app.extensions["storyboard_page_urls"] = lru_cache(maxsize=URL_CACHE_SIZE)(_build_url)
    app.jinja_env.globals["story_cards"] = story_cards
    app.jinja_env.globals["url_for"] = page_url_for


def render_version(app: Flask) -> str:
    """A fingerprint of the templates, the static files and the Python that shapes a card.

    Part of every card's key, so a deploy that changes how cards look never meets cards cached
    by the code before it (hosts share one Redis, and a rolling deploy runs both at once).
    """
    roots = [Path(app.root_path), Path(app.template_folder or "templates")]
    if app.static_folder:
        roots.append(Path(app.static_folder))
    return _fingerprint(tuple(root if root.is_absolute() else Path(app.root_path) / root for root in roots))


@lru_cache(maxsize=8)
def _fingerprint(roots: tuple[Path, ...]) -> str:
    """Read once per process: code and templates change only with a restart."""
    digest = hashlib.blake2b(digest_size=12)
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".svg", ".css", ".js", ".txt"}:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def card_key(story) -> str:
    """The key of a story's card: a digest of everything the card shows."""
    parts = (
        current_app.extensions["storyboard_render_version"], request.script_root,
        story.id, story.title, story.impact_kind, story.published_at, story.pinned_at,
        story.applause_count, story.reader_count, story.body_html,
        tuple((person.id, person.name) for person in story.nominees),
        tuple((value.id, value.slug, value.name) for value in story.values),
    )
    return "card:" + hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def _kept_cards(keys: list[str]) -> tuple[list[str | None], bool]:
    """The kept HTML for each key (None where there is none), and whether to keep new cards."""
    if current_app.debug:  # templates reload without a restart while developing
        return [None] * len(keys), False
    try:
        return cache.get_many(*keys), True
    except Exception as error:  # the cache is an optimisation: a page never fails for it
        log.warning("Story cards drawn without the cache: %s", error)
        return [None] * len(keys), False


def story_cards(stories: Iterable) -> Markup:
    """The cards of `stories`, from the cache where it has them, rendered (and kept) where not."""
    stories = list(stories)
    if not stories:
        return Markup("")
    keys = [card_key(story) for story in stories]
    cached, keep = _kept_cards(keys)
    template = None
    missing = {}
    cards = []
    for story, key, html in zip(stories, keys, cached, strict=True):
        if html is None:
            template = template or current_app.jinja_env.get_template(CARD_TEMPLATE)
            html = template.render(story=story)
            missing[key] = html
        cards.append(html)
    if missing and keep:
        try:
            cache.set_many(missing)
        except Exception as error:  # as above
            log.warning("Story cards not kept in the cache: %s", error)
    # Each card was rendered by Jinja with autoescaping on: its text is already escaped.
    return Markup("\n".join(cards))  # nosec B704  # Bandit B704 checked: autoescaped template output


def _build_url(script_root: str, endpoint: str, values: tuple) -> str:
    return url_for(endpoint, **{name: value for name, value, _ in values})


def page_url_for(endpoint: str, **values) -> str:
    """Flask's url_for for templates, remembering links it already built.

    A page builds the same links (the menu, the icon sprite, a story's link) on every request,
    and building one walks the URL map. A relative path depends only on the endpoint, its
    values and where the app is mounted; anything else (relative endpoints, _external, _anchor,
    values that cannot be keys) goes to url_for as it is.
    """
    if endpoint.startswith(".") or any(name.startswith("_") for name in values) or not has_request_context():
        return url_for(endpoint, **values)
    try:
        return current_app.extensions["storyboard_page_urls"](
            # Each value's type is part of the key: True and 1 are equal, yet url_for writes
            # them "True" and "1".
            request.script_root, endpoint, tuple((name, value, type(value)) for name, value in values.items())
        )
    except TypeError:  # a list of values: not hashable
        return url_for(endpoint, **values)


def conditional_page(view: Callable) -> Callable:
    """Give a page an ETag from its bytes and answer a matching If-None-Match with 304.

    The CSRF tokens in the page are left out of the tag (their signature changes every second)
    and the session's own token is put in: a page kept by the browser then still posts, and a
    new session never revalidates a page made for another. The browser may keep the page
    (private) but must ask each time (no-cache); signing out clears what it kept.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200 or response.is_streamed or response.mimetype != "text/html" \
                or "Cache-Control" in response.headers:  # the view said how it may be kept
            return response
        digest = hashlib.blake2b(digest_size=16)
        digest.update(str(session.get("csrf_token", "")).encode())
        digest.update(CSRF_FIELD.sub(rb"\1\2", response.get_data()))
        response.set_etag(digest.hexdigest())
        response.headers["Cache-Control"] = "private, no-cache"
        return response.make_conditional(request)

    return wrapper


class CardLRUCache(BaseCache):
    """A worker's own card cache: at most CACHE_THRESHOLD cards, the least recently used going
    first, in constant time (cachelib's SimpleCache sorts every entry on each insert once full).

    Keys are made of what a card shows, so an entry is never wrong, only unused: timeouts are
    ignored and nothing needs to expire.
    """

    def __init__(self, threshold: int = 10_000, **options) -> None:
        super().__init__(default_timeout=0)
        self._cards: LRUCache = LRUCache(maxsize=threshold)
        self._lock = threading.Lock()  # gunicorn's threaded workers share one cache

    @classmethod
    def factory(cls, app, config, args, kwargs) -> CardLRUCache:
        return cls(threshold=config["CACHE_THRESHOLD"])

    def get(self, key: str):
        with self._lock:
            return self._cards.get(key)

    def set(self, key: str, value, timeout: int | None = None) -> bool:
        with self._lock:
            self._cards[key] = value
        return True

    def add(self, key: str, value, timeout: int | None = None) -> bool:
        with self._lock:
            if key in self._cards:
                return False
            self._cards[key] = value
        return True

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._cards.pop(key, None) is not None

    def has(self, key: str) -> bool:
        with self._lock:
            return key in self._cards

    def clear(self) -> bool:
        with self._lock:
            self._cards.clear()
        return True
