"""Small presentation helpers the templates share (the avatars' initials)."""
from __future__ import annotations

import unicodedata


def initials(name: str | None) -> str:
    """The first letters of the first and last words of a name: "Dana K. Olsen" is "DO".

    Letters only, so "(Sam) O'Neil" is "SO"; one word gives one letter; no letters gives "?".
    """
    words = [word for word in (name or "").split() if any(ch.isalpha() for ch in word)]
    if not words:
        return "?"
    picked = words if len(words) == 1 else [words[0], words[-1]]
    letters = [next(ch for ch in word if ch.isalpha()) for word in picked]
    # Upper-case per letter, keeping one character each ("ß" would otherwise become "SS").
    return "".join(_upper_one(letter) for letter in letters)


def _upper_one(letter: str) -> str:
    upper = letter.upper()
    return upper if len(upper) == 1 else unicodedata.normalize("NFC", letter)
