"""The initials on an avatar (storyboard/ui.py)."""
import pytest

from storyboard.ui import initials


@pytest.mark.parametrize(("name", "expected"), [
    ("Dana K. Olsen", "DO"),
    ("Priya Shah", "PS"),
    ("Cher", "C"),
    ("  sam   taylor  ", "ST"),
    ("(Sam) O'Neil", "SO"),
    ("Zoë Åberg", "ZÅ"),
    ("Straße Meyer", "SM"),
    ("ßam Meyer", "ßM"),  # "ß".upper() is "SS": one letter stays one letter
    ("李 小龙", "李小"),
    ("[former colleague]", "FC"),
    ("", "?"),
    (None, "?"),
    ("— 42 —", "?"),
])
def test_initials(name, expected):
    assert initials(name) == expected
