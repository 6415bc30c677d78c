"""How long the Markdown chokepoint takes on hostile inputs, relative to an honest story of the
same length rendered in the same run. Run: .venv/bin/python bench/markdown_worst_case.py

A ratio near 1 means the input costs no more than ordinary text; the upstream quadratic cases
(runs of "[" or "(") were 100x and more before storyboard.markdown defused them.
"""
from __future__ import annotations

import statistics
import time

from storyboard.markdown import render

LENGTH = 20_000  # the longest story body the form accepts

HONEST = (
    "A customer called about a **late delivery** for a wedding. Sam checked the depot, "
    "found the parcel and [drove it over](https://example.com/map) after the shift.\n\n"
)
HOSTILE = {
    "bracket run": "[",
    "paren run": "(",
    "open links": "[a](",
    "nested lists": "1. ",
    "nested quotes": "> ",
    "emphasis soup": "a*",
    "angle run": "<",
    "table rows": "|x|y|\n",
}


def timed(text: str, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        render(text)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    baseline_text = (HONEST * (LENGTH // len(HONEST) + 1))[:LENGTH]
    baseline = timed(baseline_text)
    print(f"{'input':16} {'ms':>9} {'ratio':>7}")
    print(f"{'honest story':16} {baseline * 1000:9.1f} {1:7.2f}")
    for name, unit in HOSTILE.items():
        text = ("|a|b|\n|-|-|\n" if name == "table rows" else "") + unit * (LENGTH // len(unit))
        seconds = timed(text[:LENGTH])
        print(f"{name:16} {seconds * 1000:9.1f} {seconds / baseline:7.2f}")


if __name__ == "__main__":
    main()
