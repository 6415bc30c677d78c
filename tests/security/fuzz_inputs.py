"""Hypothesis strategies for hostile requests, and how a drawn request becomes WSGI input.

A drawn `Fuzzed` request is symbolic where it refers to the scene (`SCENE` in a path, the
route's example data as the base of a form) and concrete everywhere else, so Hypothesis can
shrink it and the failure message can print exactly what was sent.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from io import BytesIO
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from tests.security.scene import PERSONAS

SCENE = "<scene>"  # the cell's own object, as in the matrix
SECRET = "test-secret-key"  # the `app` fixture's, so tokens with hostile payloads verify
IDS = [0, 1, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**40]
ID_TEXTS = ([str(n) for n in IDS] + [f"-{n}" for n in IDS[1:6]]
            + ["-0", "+1", " 1 ", "1.5", "1e3", "0x1f", "²", "¹²", "١٢", "１", "1_000", "#1", "0001", "9" * 400])
DATE_TEXTS = ["0001-01-01", "9999-12-31", "10000-01-01", "0000-00-00", "2024-02-30", "2024-13-01",
              "2024-1-1", "1990-01-01", "1989-12-31", "2024-02-29", "31/12/2024", "2024-12-31T23:59:59",
              "9999-12-31T23:59:59.999999", "2024-12-31T00:00:00+14:00", "today", "-2024-01-01"]
WORDS = ["on", "yes", "no", "y", "true", "false", "null", "None", "[]", "{}", "<script>alert(1)</script>",
         "' OR 1=1 --", "%00", "%ff", "../../etc/passwd", "published", "draft", "archived", "admin",
         "curator", "staff", "keep", "remove", "monthly", "never", "weekly", "legacy", "resurface",
         "hold-back", "pin", "One-Click", "submit", "preview", "find", "save", "customer", "team",
         "courtesy", "story.publish", "person", "a@b.c", "ada@example.com", "\u202egnp.exe", "Zoë Ó'Brien"]
# Only encodable as raw bytes: lone surrogates and invalid UTF-8 (sent as such, not as UTF-8).
LONE_SURROGATES = ["\ud800", "a\udfffb", "\udcff\udcfe"]
RAW_SEGMENTS = [b"\xff", b"\xed\xa0\x80", b"\x00", b"a\x00b", b"\xc0\xaf", b"..", b"%2e%2e%2f", b"\xe2\x80",
                b"%00", b"%ff", b"\r\n", b" ", b"//", b"\\"]
CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x",
                 "text/plain", "application/json", "", "application/x-www-form-urlencoded; charset=utf-16",
                 "application/octet-stream"]
RAW_BODIES = [b"a=%zz&b", b"=&=&&", b"%", b"a" * 70000, b'{"title": "\x00"}', b"--x\r\nContent-Disposition: x\r\n"]
HUGE_SIZES = [81, 121, 201, 255, 301, 1001, 2001, 20_001]
BODY_SIZES = [120_000, 600_000, 3_200_000]  # bodies only: a URL that long never reaches the app


@cache
def _date_texts():
    drawn = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
    return st.one_of(st.sampled_from(DATE_TEXTS), drawn)


@cache
def _cursors():
    moments = st.one_of(
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)).map(datetime.isoformat),
        st.sampled_from(DATE_TEXTS),
    )
    return st.builds(lambda moment, ident, sep: f"{moment}{sep}{ident}", moments, st.sampled_from(ID_TEXTS),
                     st.sampled_from(["_", "__", "", "_-"]))


@cache  # strategies are built once: building them is slow
def hostile_text(body: bool = False):
    """A form or query value: empty, ids, dates, cursors, control characters, huge, odd words."""
    controls = st.text(st.characters(categories=["Cc"]) | st.sampled_from("\u2028\u200b\u202e\ufeff\ufffd"),
                       max_size=12)
    mixed = st.builds(lambda a, b, c: a + b + c, st.sampled_from(["", "Title", "x"]), controls, st.text(max_size=8))
    huge = st.builds(lambda char, size: char * size, st.sampled_from(["a", "é", "😀", "\x00", "[", " ", "\r\n", "7"]),
                     st.sampled_from(HUGE_SIZES))
    return st.one_of(
        st.just(""), st.sampled_from(ID_TEXTS), _date_texts(), _cursors(), controls, mixed,
        st.text(max_size=40), huge, st.sampled_from(WORDS), st.sampled_from(LONE_SURROGATES),
    )


@cache
def signed_tokens():
    """Tokens signed with the app's key around payloads of the wrong type or range."""
    payloads = st.one_of(st.sampled_from([2**31, 2**63, 2**64, -1, 0, True, None, 1.5, "1", [1], {}]),
                         st.fixed_dictionaries({"id": st.sampled_from([2**31, 2**63, -1, "1", None, 1]),
                                                "fp": st.sampled_from(["", "x", None])}))
    salts = st.sampled_from(["storyboard.digest-unsubscribe", "storyboard.invitation", "storyboard.password-reset"])
    return st.builds(lambda payload, salt: (URLSafeSerializer(SECRET, salt=salt).dumps(payload)
                                            if salt.startswith("storyboard.digest")
                                            else URLSafeTimedSerializer(SECRET, salt=salt).dumps(payload)),
                     payloads, salts)


@cache
def path_values(name: str, converter: str | None):
    """One path parameter: mostly the scene's object, else hostile text or raw bytes."""
    raw = st.sampled_from(RAW_SEGMENTS)
    texts = st.one_of(st.sampled_from(ID_TEXTS), hostile_text().filter(lambda value: len(value) < 5000))
    if name == "token":
        texts = st.one_of(texts, signed_tokens())
    texts = texts.map(lambda value: value.encode("utf-8", "surrogatepass"))
    return st.one_of(st.just(SCENE), st.just(SCENE), texts, raw)


@dataclass
class Fuzzed:
    """One drawn request. `query`/`form` are edits to the route's plausible values (the
    example's data for a form): (name, value) sets, (name, None) removes, repeats add again."""

    persona: str
    variant: str
    path: dict[str, object] = field(default_factory=dict)  # name -> SCENE or bytes
    suffix: bytes = b""
    query: list[tuple[str, object]] = field(default_factory=list)
    encoding: str = "form"
    form: list[tuple[str, object]] = field(default_factory=list)
    raw_body: bytes = b""
    content_type: str = ""


# What a field holds, for values that look nearly right (an id of 2**63, the year 9999).
KIND_BY_NAME = {
    "after": "cursor", "before": "cursor", "nominee": "id", "nominees": "id", "values": "id", "into": "id",
    "a": "id", "b": "id", "entity_id": "id", "page": "id", "age": "id", "since": "date", "until": "date",
    "happened_on": "date", "issue_key": "date",
}


@cache
def _value(name: str, body: bool):
    nearly = {"id": st.sampled_from(ID_TEXTS), "date": _date_texts(), "cursor": _cursors()}.get(KIND_BY_NAME.get(name))
    one = hostile_text(body) if nearly is None else st.one_of(nearly, nearly, hostile_text(body))
    repeated = st.lists(hostile_text() if nearly is None else nearly, min_size=2, max_size=40)
    return st.one_of(one, one, st.none(), repeated)


@st.composite
def _edits(draw, names: tuple[str, ...], body: bool):
    """Edits of known and unknown fields: replace, remove, repeat, add."""
    unknown = st.one_of(st.text(max_size=12), st.sampled_from(["csrf_token", "next", "id", "page", "", "submit"]))
    edits = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.one_of(st.sampled_from(names), st.sampled_from(names), unknown) if names else unknown)
        edits.append((name, draw(_value(name, body))))
    return edits


@st.composite
def fuzzed_requests(draw, route, placeholders: dict[str, str | None], method: str, form_names: tuple[str, ...]):
    """A hostile request for one route, leaning towards the persona and variant that get in."""
    example = route.example
    persona = draw(st.one_of(st.just(example.persona), st.sampled_from(PERSONAS)) if example
                   else st.sampled_from(PERSONAS))
    variant = draw(st.one_of(st.just(example.variant or route.variants[0]), st.sampled_from(route.variants))
                   if example else st.sampled_from(route.variants))
    request = Fuzzed(persona, variant)
    request.path = {name: draw(path_values(name, converter)) for name, converter in placeholders.items()}
    request.suffix = draw(st.one_of(st.just(b""), st.just(b""), st.just(b""), st.sampled_from(RAW_SEGMENTS)))
    request.query = draw(_edits(tuple(route.query), False))
    if method == "GET":
        return request
    request.encoding = draw(st.sampled_from(["form", "form", "form", "multipart", "json", "raw"]))
    request.form = draw(_edits(form_names, True))
    if request.encoding == "raw":
        request.raw_body = draw(st.one_of(st.binary(max_size=200), st.sampled_from(RAW_BODIES)))
        request.content_type = draw(st.sampled_from(CONTENT_TYPES))
    return request


def edited(base: list[tuple[str, str]], edits: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """The base pairs with the drawn edits applied, in order."""
    pairs = list(base)
    for name, value in edits:
        if value is None:
            pairs = [pair for pair in pairs if pair[0] != name]
        elif isinstance(value, list):
            pairs += [(name, item) for item in value]
        else:
            pairs = [pair for pair in pairs if pair[0] != name] + [(name, value)]
    return pairs


def urlencoded(pairs: list[tuple[str, object]]) -> str:
    """application/x-www-form-urlencoded, with lone surrogates sent as the invalid bytes they are."""
    def encode(text: object) -> str:
        return quote_from_bytes(str(text).encode("utf-8", "surrogatepass"), safe="")

    return "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs)


def _json_value(index: int, value: object) -> object:
    """Wrong JSON types in turn: a string, a number, a list, an object."""
    kind = index % 4
    if kind == 1:
        text = str(value)
        return int(text) if text.isascii() and text.lstrip("-").isdigit() and len(text) < 100 else 1.5e308
    return [value] if kind == 2 else {"value": value} if kind == 3 else value


def body_of(request: Fuzzed, pairs: list[tuple[str, object]]) -> dict:
    """Keyword arguments for the test client's `open` carrying the request's body."""
    if request.encoding == "raw":
        return {"data": request.raw_body, "content_type": request.content_type}
    if request.encoding == "json":
        fields = {name: _json_value(index, value) for index, (name, value) in enumerate(pairs)}
        return {"data": json.dumps(fields, ensure_ascii=True, default=str), "content_type": "application/json"}
    if request.encoding in ("multipart", "files"):
        data = MultiDict()
        for index, (name, value) in enumerate(pairs):
            text = str(value).encode("utf-8", "surrogatepass")
            if index % 2 or request.encoding == "files":  # a file upload: a wrong type for a text field
                data.add(name, (BytesIO(text), "upload.txt"))
            else:
                data.add(name, text.decode("utf-8", "replace"))
        return {"data": data, "content_type": "multipart/form-data"}
    return {"data": urlencoded(pairs).encode("ascii"), "content_type": "application/x-www-form-urlencoded"}


# The edge cases every route gets on every run, before the drawn ones: each path parameter and
# each known field in turn set to the values most likely to break something.
EDGE_IDS = ["²", "-1", "2147483648", "9223372036854775808", "18446744073709551616", "1.5"]
EDGE_DATES = ["0001-01-01", "9999-12-31", "2024-02-30", "10000-01-01"]
EDGE_CURSORS = ["9999-12-31T23:59:59_2147483648", "0001-01-01T00:00:00_1", "x_²"]
# Text at the longest the forms commonly allow (a title, a thank-you, a note, a story), where
# what is stored is longest: composed messages that quote it must still fit.
EDGE_TEXTS = ["a\x00b", "\ud800", "two\r\nlines\x07\x1b", "²", *("x" * size for size in (200, 1000, 2000, 20_000))]
EDGE_PATH_IDS = [b"0", b"2147483648", b"9223372036854775808", b"18446744073709551616", b"\x00", b"\xff"]
EDGE_PATH_TEXTS = [b"\x00", b"a%00", b"\xff", b"\xed\xa0\x80", b"x" * 300, b"9999-12-31"]


def _edge_values(name: str) -> list[str]:
    kind = KIND_BY_NAME.get(name)
    return {"id": EDGE_IDS, "date": EDGE_DATES, "cursor": EDGE_CURSORS}.get(kind, EDGE_TEXTS)


def edge_cases(route, placeholders: dict[str, str | None], method: str, form_names: tuple[str, ...]) -> list[Fuzzed]:
    """Fixed hostile requests for one route, as the persona whose request gets furthest."""
    persona = route.example.persona if route.example else ("admin" if route.expect[4] != 403 else "owner")
    variant = (route.example.variant if route.example else "") or route.variants[0]
    scene_path = dict.fromkeys(placeholders, SCENE)
    cases = []
    for name, converter in placeholders.items():
        for value in EDGE_PATH_IDS if converter == "int" else EDGE_PATH_TEXTS:
            cases.append(Fuzzed(persona, variant, scene_path | {name: value}))
    for name in route.query:
        cases += [Fuzzed(persona, variant, scene_path, query=[(name, value)]) for value in _edge_values(name)]
    if method == "GET":
        return cases
    for name in form_names:
        cases += [Fuzzed(persona, variant, scene_path, form=[(name, value)]) for value in _edge_values(name)]
    everything = [(name, "a\x00b") for name in form_names]
    cases += [
        Fuzzed(persona, variant, scene_path, encoding="json", form=everything),
        Fuzzed(persona, variant, scene_path, encoding="json", form=[(name, "\ud800") for name in form_names]),
        Fuzzed(persona, variant, scene_path, encoding="files"),
        Fuzzed(persona, variant, scene_path, form=[(name, ["1", "2"]) for name in form_names]),
        Fuzzed(persona, variant, scene_path, form=[(form_names[0] if form_names else "x", "a" * 3_200_000)]),
    ]
    return cases
