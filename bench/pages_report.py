"""The table, the p95 growth and the goal lines that bench/pages.py prints (issue 16's targets).

Every figure is relative to something measured in the same run: req/s against the signed-in
Flask floor (bench/floor.py) and the bare WSGI ceiling (bench/ceiling.py), p95 at the largest
size against p95 at the smallest.
"""
from __future__ import annotations

BASELINES = ("floor", "ceiling")
MIN_RATIO_TO_FLOOR = 0.50
MAX_P95_MS = 20.0
MAX_P95_GROWTH = 1.3
CONDITIONAL_PAGES = ("feed", "story", "profile")


def table(rows: list[dict]) -> str:
    lines = [f"{'database':10} {'stories':>8} {'page':14} {'req/s':>8} {'x floor':>8} {'x ceiling':>9} "
             f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'p95 growth':>10}  conditional GET"]
    growths = p95_growth(rows)
    for row in rows:
        floor = f"{row['ratio_to_floor']:8.2f}" if "ratio_to_floor" in row else f"{'':8}"
        ceiling = f"{row['ratio_to_ceiling']:9.2f}" if "ratio_to_ceiling" in row else f"{'':9}"
        grown = growths.get((row["database"], row["page"]))
        grown = f"{grown:10.2f}" if grown is not None and row["stories"] == _largest(rows, row) else f"{'':10}"
        lines.append(f"{row['database']:10} {row['stories']:8} {row['page']:14} {row['rps']:8.0f} {floor} {ceiling} "
                     f"{row['p50_us'] / 1000:7.1f} {row['p95_us'] / 1000:7.1f} {row['p99_us'] / 1000:7.1f} {grown}"
                     f"  {row.get('conditional_get', '')}")
    return "\n".join(lines)


def _largest(rows: list[dict], row: dict) -> int:
    return max(r["stories"] for r in rows if r["database"] == row["database"])


def p95_growth(rows: list[dict]) -> dict[tuple[str, str], float]:
    """{(database, page): p95 at the largest size / p95 at the smallest}, where two sizes ran."""
    out = {}
    for database in dict.fromkeys(row["database"] for row in rows):
        mine = [row for row in rows if row["database"] == database]
        sizes = sorted({row["stories"] for row in mine})
        if len(sizes) < 2:
            continue
        for page in dict.fromkeys(row["page"] for row in mine):
            p95 = {row["stories"]: row["p95_us"] for row in mine if row["page"] == page}
            out[(database, page)] = p95[sizes[-1]] / p95[sizes[0]]
    return out


def growth_lines(rows: list[dict]) -> list[str]:
    sizes = {db: sorted({r["stories"] for r in rows if r["database"] == db}) for db in {r["database"] for r in rows}}
    return [f"{database:10} {page:14} p95 {sizes[database][-1]} / {sizes[database][0]}: {value:.2f}"
            for (database, page), value in p95_growth(rows).items()]


def _verdict(ok: bool | None) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "FAIL")


def goals(rows: list[dict]) -> list[str]:
    """One line per goal: PASS, FAIL or n/a, with the worst figure and where it was measured."""
    pages = [row for row in rows if row["page"] not in BASELINES]
    growths = p95_growth(rows)
    lines = []
    for page in ("feed", "story"):
        mine = [row for row in pages if row["page"] == page]
        if not mine:
            continue
        worst = min(mine, key=lambda row: row["ratio_to_floor"])
        lines.append(f"{_verdict(worst['ratio_to_floor'] >= MIN_RATIO_TO_FLOOR)}  {page} req/s >= "
                     f"{MIN_RATIO_TO_FLOOR:.2f} x floor: worst {worst['ratio_to_floor']:.2f} "
                     f"({worst['database']}, {worst['stories']} stories)")
        slowest = max(mine, key=lambda row: row["p95_us"])
        lines.append(f"{_verdict(slowest['p95_us'] / 1000 < MAX_P95_MS)}  {page} p95 < {MAX_P95_MS:.0f} ms: worst "
                     f"{slowest['p95_us'] / 1000:.1f} ms ({slowest['database']}, {slowest['stories']} stories)")
        lines.append(_growth_goal(page, {db: v for (db, p), v in growths.items() if p == page}))
    searched = any(row["page"] == "search" and row["database"] == "postgresql" for row in pages)
    if searched:
        lines.append(_growth_goal("search", {"postgresql": growths.get(("postgresql", "search"))}))
    for page in CONDITIONAL_PAGES:
        answers = {f"{row['database']} {row['stories']}": row.get("conditional_get") for row in pages
                   if row["page"] == page}
        if not answers:
            continue
        sent_etag = [answer for answer in answers.values() if answer != "no ETag"]
        ok = None if not sent_etag else all(answer == "304" for answer in answers.values())
        shown = ", ".join(sorted(set(answers.values())))
        lines.append(f"{_verdict(ok)}  {page} answers If-None-Match with 304: {shown}")
    return lines


def _growth_goal(page: str, by_database: dict[str, float | None]) -> str:
    measured = {db: value for db, value in by_database.items() if value is not None}
    if not measured:
        return f"n/a   {page} p95 growth <= {MAX_P95_GROWTH}x (largest / smallest size): needs two sizes"
    worst_db = max(measured, key=measured.get)
    return (f"{_verdict(measured[worst_db] <= MAX_P95_GROWTH)}  {page} p95 growth <= {MAX_P95_GROWTH}x "
            f"(largest / smallest size): worst {measured[worst_db]:.2f} ({worst_db})")
