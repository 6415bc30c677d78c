"""Counts of fuzzed requests and server errors per database, for the end-of-run summary."""
from __future__ import annotations

from collections import Counter, defaultdict

REQUESTS: Counter = Counter()  # database -> requests sent
SERVER_ERRORS: Counter = Counter()  # database -> 5xx answers (and exceptions out of the app)
DISTINCT: dict[tuple, str] = {}  # (database, endpoint, where it failed) -> shortest reproduction
SECONDS: defaultdict = defaultdict(float)  # database -> time spent in fuzz tests


def record(database: str, endpoint: str, place: str, reproduction: str) -> None:
    """Count a server error (or stored garbage); keep the shortest request seen for each place
    it fails (shrinking makes later ones smaller)."""
    if place != "stored garbage":
        SERVER_ERRORS[database] += 1
    key = (database, endpoint, place)
    if key not in DISTINCT or len(reproduction) < len(DISTINCT[key]):
        DISTINCT[key] = reproduction


def lines() -> list[str]:
    """The summary: one line per database, then each distinct server error with how to repeat it."""
    out = [f"{database}: {REQUESTS[database]} requests, {SERVER_ERRORS[database]} 5xx, "
           f"{SECONDS[database]:.0f} s" for database in sorted(REQUESTS)]
    out += [f"  {'garbage' if place == 'stored garbage' else '5xx'} {database} {endpoint}: {reproduction}"
            for (database, endpoint, place), reproduction in sorted(DISTINCT.items())]
    return out
