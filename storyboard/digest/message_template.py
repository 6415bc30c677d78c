"""The digest encoded once per issue as MIME bytes, with slots for each person's parts.

Building every message with the email package quoted-printable-encoded the whole issue again
for each person, in pure Python: most of what sending cost beyond SMTP itself. Here the issue
is encoded once; a person's message is the fixed bytes joined with their own parts (To, Date,
Message-ID, List-Unsubscribe, the unsubscribe link and the `via` token in the body), each
encoded on its own.

Why a substitution can never be split by a quoted-printable line break: placeholders are never
looked for in encoded bytes. The text is cut at the placeholders before encoding, each fixed
piece is encoded on its own and ends, when it does not end a line, with a soft line break
("=" CRLF, which decoding removes), so every person's part starts a fresh line. That part is
encoded in turn, broken with soft breaks to lines of at most 76 characters (RFC 2045) however
long it is, and ends with a soft break too. Decoded, the pieces join up exactly.

Headers that are plain short ASCII are written as they are; anything else (a non-ASCII name,
an address that needs quoting) goes through the email package's own folding, so it is RFC
2047 encoded where it must be. The boundary starts with "=_", which quoted-printable output
can never contain, so no body can end a part early.
"""
from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from email import quoprimime
from email.utils import formatdate, parseaddr

from flask import current_app

from storyboard.digest.email import (
    DIGEST_POLICY,
    UNSUBSCRIBE_PLACEHOLDER,
    Addressee,
    DigestContent,
    digest_message_id,
    sender_domain,
)
from storyboard.digest.subscriptions import unsubscribe_token
from storyboard.digest.visits import VIA, VIA_PLACEHOLDER, via_token
from storyboard.text import one_line
from storyboard.urls import external_url

CRLF = b"\r\n"
SOFT_BREAK = b"=\r\n"
QP_LINE = 76  # RFC 2045's longest encoded line, its soft-break "=" included
# The email package's policy, writing CRLF as SMTP wants, for the headers it folds.
WIRE_POLICY = DIGEST_POLICY.clone(linesep="\r\n")
# Headers longer than this are folded by the email package rather than written as they are.
HEADER_MAX = 998
# Values that quoted-printable leaves as they are: printable ASCII but "=" and the space.
_QP_LITERAL = re.compile(r"[!-<>-~]*")
# A header value written as it is: printable ASCII and spaces, nothing to encode or quote.
_PLAIN_HEADER = re.compile(r"[ -~]*")
# An address that needs no quoting (RFC 5322 dot-atom, ASCII).
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")
_UNSUBSCRIBE_MARK = "__STORYBOARD_DIGEST_UNSUBSCRIBE_TOKEN__"

# Slots: what the rendered issue holds, and what each person's message has there.
UNSUBSCRIBE = "unsubscribe"
VIA_QUERY = "via_query"  # "?via=…" on a story link: the delivery's token, or gone in a test message
VIA_BARE = "via_bare"  # the placeholder anywhere else (with_via replaces those too)
_MARKERS = {f"?{VIA}={VIA_PLACEHOLDER}": VIA_QUERY, UNSUBSCRIBE_PLACEHOLDER: UNSUBSCRIBE, VIA_PLACEHOLDER: VIA_BARE}
_MARKER = re.compile("|".join(re.escape(marker) for marker in _MARKERS))  # longest ("?via=…") first


@dataclass(frozen=True)
class _Part:
    """One encoded body part: fixed bytes, and slot names where a person's parts go."""

    pieces: tuple[bytes | str, ...]
    escape_html: bool


class DigestTemplate:
    """One issue as MIME bytes, ready for `render` to address to each person."""

    def __init__(self, content: DigestContent) -> None:
        config = current_app.config
        self.content = content
        self.issue_key = content.issue_key
        self.domain = sender_domain()
        self.sender = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
        self._unsubscribe = external_url("digest.unsubscribe", token=_UNSUBSCRIBE_MARK).split(_UNSUBSCRIBE_MARK)
        company = one_line(config["COMPANY_NAME"]).replace('"', "")
        boundary = f"=_storyboard_{secrets.token_hex(12)}"
        self._head = _header("From", config["MAIL_DEFAULT_SENDER"])
        self._subject = _header("Subject", content.subject)
        self._list_id = _header("List-Id", f'"{company} Storyboard digest" <digest.{self.domain}>')
        self._after_unsubscribe = b"".join((
            _header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            _header("Auto-Submitted", "auto-generated"),
            b"MIME-Version: 1.0\r\n",
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode(),
        ))
        # The CRLF before a delimiter belongs to it (RFC 2046), so each part's own last line end
        # is followed by another, as the email package writes it.
        part_head = ('{before}--{b}\r\nContent-Type: text/{kind}; charset="utf-8"\r\n'
                     "Content-Transfer-Encoding: quoted-printable\r\n\r\n")
        self._parts = (
            (part_head.format(before="", b=boundary, kind="plain").encode(),
             _encode_part(content.text, escape_html=False)),
            (part_head.format(before="\r\n", b=boundary, kind="html").encode(),
             _encode_part(content.html, escape_html=True)),
        )
        self._end = f"\r\n--{boundary}--\r\n".encode()

    def unsubscribe_link(self, person: Addressee) -> str:
        """The same link as subscriptions.unsubscribe_url, without building it from the URL map
        for every person: the token is URL-safe, so it stands in the address as it is."""
        return unsubscribe_token(person).join(self._unsubscribe)

    def render(self, person: Addressee, delivery_id: int | None = None, date: str | None = None) -> bytes:
        """The person's message, as the bytes to send (CRLF line ends)."""
        link = self.unsubscribe_link(person)
        token = via_token(delivery_id) if delivery_id is not None else None
        values = {
            UNSUBSCRIBE: link,
            VIA_QUERY: f"?{VIA}={token}" if token else "",
            VIA_BARE: token or VIA_PLACEHOLDER,
        }
        pieces = [
            self._head,
            _address_header("To", person.email),
            self._subject,
            _header("Date", date or formatdate(localtime=False)),
            _header("Message-ID", digest_message_id(self.issue_key, person.id, self.domain)),
            self._list_id,
            _header("List-Unsubscribe", f"<{link}>"),
            self._after_unsubscribe,
        ]
        for head, part in self._parts:
            encoded: dict[str, bytes] = {}
            pieces.append(head)
            for piece in part.pieces:
                if isinstance(piece, bytes):
                    pieces.append(piece)
                    continue
                if piece not in encoded:
                    value = values[piece]
                    encoded[piece] = encode_value(html.escape(value, quote=True) if part.escape_html else value)
                pieces.append(encoded[piece])
        pieces.append(self._end)
        return b"".join(pieces)


def _encode_part(text: str, escape_html: bool) -> _Part:
    """Encode the part's fixed text once, cut at its placeholders."""
    # Line ends as the email package makes them: one "\n" per line, a final one added.
    body = b"\n".join(text.encode("utf-8").splitlines()) + b"\n"
    pieces: list[bytes | str] = []
    start = 0
    latin = body.decode("latin-1")  # quoprimime encodes each byte above 127 from its latin-1 character
    for match in _MARKER.finditer(latin):
        pieces.append(_encode_fixed(latin[start:match.start()]))
        pieces.append(_MARKERS[match.group(0)])
        start = match.end()
    pieces.append(_encode_fixed(latin[start:], last=True))
    return _Part(tuple(pieces), escape_html)


def _encode_fixed(text: str, last: bool = False) -> bytes:
    """A fixed piece, starting a line; one that stops mid-line (a slot follows) ends with a soft
    break. Lines of 75 leave room for that "=" within 76."""
    if not text:
        return b""
    encoded = quoprimime.body_encode(text, QP_LINE - 1, eol="\r\n").encode("ascii")
    if not last and not encoded.endswith(CRLF):
        encoded += SOFT_BREAK
    return encoded


def encode_value(value: str) -> bytes:
    """A person's part, starting a line and ending with a soft break: nothing, decoded, but itself."""
    if not value:
        return b""
    if _QP_LITERAL.fullmatch(value):  # a link or token: only needs breaking into lines
        step = QP_LINE - 1
        return b"".join(value[i:i + step].encode("ascii") + SOFT_BREAK for i in range(0, len(value), step))
    if "\n" in value or "\r" in value:
        raise ValueError("A per-person value may not hold a line break.")
    encoded = quoprimime.body_encode(value.encode("utf-8").decode("latin-1"), QP_LINE - 1, eol="\r\n")
    return encoded.encode("ascii") + SOFT_BREAK


def _header(name: str, value: str) -> bytes:
    """One header line, folded and encoded by the email package unless plain and short."""
    # "=?" could read as an encoded word: the email package decides what it means.
    if _PLAIN_HEADER.fullmatch(value) and "=?" not in value and len(name) + 2 + len(value) <= HEADER_MAX:
        return f"{name}: {value}\r\n".encode("ascii")
    return _folded(name, value)


def _address_header(name: str, value: str) -> bytes:
    if _PLAIN_ADDRESS.fullmatch(value) and len(name) + 2 + len(value) <= HEADER_MAX:
        return f"{name}: {value}\r\n".encode("ascii")
    return _folded(name, value)


def _folded(name: str, value: str) -> bytes:
    # header_store_parse refuses line breaks (no header injection), as EmailMessage does.
    name, header = WIRE_POLICY.header_store_parse(name, value)
    return WIRE_POLICY.fold_binary(name, header)


__all__ = ["DigestTemplate", "WIRE_POLICY"]
