"""`select_issue` with 1k, 10k and 100k candidates and a five-year history: the target is under
1 s per issue at 100k. The baseline, measured in the same run, is sorting the same candidates
by their publication date once (the least any selection must do).

Candidates are what `load_candidates` would hand over at a large company that never pruned:
2% canon stories promoted over five years, the rest published over five years (one week's
worth in the window), each about one or two of 20,000 people in 40 departments; the history
has one appearance per story shown, about eight per issue.

    .venv/bin/python bench/selection.py [--sizes 1000 10000 100000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storyboard.digest.selection import (  # noqa: E402  (the path above comes first)
    SECTION_CANON,
    SECTION_NEW,
    Appearance,
    Candidate,
    SelectionParams,
    select_issue,
)

CUT = datetime(2026, 12, 7, 7, 0)
YEARS = 5


def candidates_and_history(size: int, seed: int = 7) -> tuple[list[Candidate], list[Appearance]]:
    rng = random.Random(seed)
    span = timedelta(weeks=52 * YEARS).total_seconds()
    values = [f"value-{n}" for n in range(9)]
    candidates, history = [], []
    for story_id in range(1, size + 1):
        published = CUT - timedelta(seconds=rng.random() * span) - timedelta(hours=25)
        people = tuple(rng.sample(range(20_000), rng.choice((1, 1, 2))))
        canon = rng.random() < 0.02
        candidates.append(Candidate(
            story_id=story_id, published_at=published, happened_on=published.date(),
            applause=rng.randint(0, 50), readers=rng.randint(50, 500), in_canon=canon,
            canonized_at=published + timedelta(days=rng.randint(7, 60)) if canon else None,
            honoree_ids=people, honoree_departments=tuple(f"dept-{p % 40:02d}" for p in people),
            values=tuple(sorted(rng.sample(values, rng.choice((1, 2))))),
        ))
        if published < CUT - timedelta(weeks=1) and rng.random() < 0.3:
            weeks_after = rng.randint(1, 3)
            shown = published + timedelta(weeks=weeks_after)
            history.append(Appearance(story_id, shown, SECTION_NEW, candidates[-1].honoree_departments,
                                      candidates[-1].values))
            if canon:
                for step in (8, 16, 32, 58, 110, 162):
                    at = shown + timedelta(weeks=step)
                    if at < CUT:
                        history.append(Appearance(story_id, at, SECTION_CANON,
                                                  candidates[-1].honoree_departments, candidates[-1].values))
    return candidates, history


def timed(function, repeat: int) -> float:
    """The median of `repeat` runs, in seconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    params = SelectionParams()
    results = []
    for size in args.sizes:
        candidates, history = candidates_and_history(size)
        baseline = timed(lambda these=candidates: sorted(these, key=lambda c: c.published_at), args.repeat)
        seconds = timed(lambda these=candidates, shown=history: select_issue(CUT, these, shown, params), args.repeat)
        selection = select_issue(CUT, candidates, history, params)
        results.append({"candidates": size, "history": len(history), "seconds": round(seconds, 4),
                        "baseline_sort_seconds": round(baseline, 4), "ratio": round(seconds / baseline, 1),
                        "stories": len(selection.story_ids), "canon": len(selection.canon),
                        "under_1s": seconds < 1.0})
        print(f"{size:>7} candidates, {len(history):>6} appearances: {seconds * 1000:8.1f} ms per issue "
              f"({seconds / baseline:5.1f}× one sort of them); {len(selection.story_ids)} stories, "
              f"{len(selection.canon)} from the canon; {'under' if seconds < 1 else 'OVER'} 1 s")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "selection.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
