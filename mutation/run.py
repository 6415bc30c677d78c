"""`make mutation`: how many planted bugs the tests catch in Storyboard's core modules.

Each module is mutated by mutmut (3.x, forkserver isolation) and tested against its own test
files only, in a scratch copy of the project under `.mutation/<module>/`, so that a bug is
counted as caught only if the tests written for that module catch it. mutmut mutates code
inside functions; module-level tables, limits and regular expressions are mutated by
`mutation/tables.py`. Mutants listed in `tests/mutation-equivalents.txt` (each with a reason)
change no behaviour anyone could notice and are left out of the second score.

    python mutation/run.py                 # every module, then the table
    python mutation/run.py markdown pii    # some of them
    python mutation/run.py --survivors     # also list what survived

Tests run on SQLite only here (no STORYBOARD_TEST_DATABASE_URL): the mutants are in Python.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / ".mutation"
EQUIVALENTS = ROOT / "tests" / "mutation-equivalents.txt"
sys.path.insert(0, str(ROOT))

from mutation.tables import TableMutant, apply, table_mutants  # noqa: E402 - after the path is set


@dataclass(frozen=True)
class Target:
    """A core module and the test files written for it."""

    name: str
    path: str
    tests: tuple[str, ...]


TARGETS = (
    Target("markdown", "storyboard/markdown.py", ("tests/shared/test_markdown.py",)),
    Target("selection", "storyboard/digest/selection.py",
           ("tests/digest/test_selection.py", "tests/digest/test_canon_ladder.py",
            "tests/digest/test_selection_coverage.py")),
    Target("lifecycle", "storyboard/stories/lifecycle.py",
           ("tests/stories/test_lifecycle.py", "tests/curation/test_queue.py", "tests/stories/test_lifecycle_rules.py",
            "tests/curation/test_pins_canon_flags.py", "tests/curation/test_canon_and_consent.py",
            "tests/stories/test_withdraw_delete.py")),
    Target("sending", "storyboard/digest/sending.py",
           ("tests/digest/test_sending.py", "tests/digest/test_sending_claims.py", "tests/digest/test_visits.py")),
    Target("pii", "storyboard/pii.py", ("tests/shared/test_pii.py",)),
)
# What the app needs beside its package to run its tests in the scratch copy.
COPIED = ("storyboard", "tests", "templates", "static", "migrations", "pyproject.toml")


@dataclass
class Score:
    """Mutants of one module: how many, and which were not caught."""

    total: int = 0
    caught: int = 0
    survivors: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.total += other.total
        self.caught += other.caught
        self.survivors += other.survivors


def equivalents() -> dict[str, str]:
    """Mutant name -> why it changes nothing observable, from tests/mutation-equivalents.txt."""
    listed = {}
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            listed[name] = reason.strip().lstrip("#").strip()
    return listed


def prepare(target: Target) -> Path:
    """A scratch copy of the project whose pyproject.toml aims mutmut at this one module."""
    work = SCRATCH / target.name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
        else:
            shutil.copy2(source, work / name)
    # The shared settings come from the project's [tool.mutmut]; this copy adds its module.
    tests = ", ".join(f'"{path}"' for path in target.tests)
    (work / "pyproject.toml").write_text(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8").replace(
            "\n[tool.mutmut]\n",
            f'\n[tool.mutmut]\nonly_mutate = ["{target.path}"]\n'
            f"pytest_add_cli_args_test_selection = [{tests}]\n",
        ),
        encoding="utf-8",
    )
    return work


def environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "STORYBOARD_TEST_DATABASE_URL"}
    return env | {"PYTHONDONTWRITEBYTECODE": "1"}


def run_mutmut(target: Target) -> Score:
    """Mutate the module's functions with mutmut; killed and timed-out mutants are caught."""
    work = prepare(target)
    mutmut = [sys.executable, "-m", "mutmut"]
    subprocess.run([*mutmut, "run"], cwd=work, env=environment(), check=False,
                   stdout=subprocess.DEVNULL)
    subprocess.run([*mutmut, "export-cicd-stats"], cwd=work, env=environment(), check=True,
                   stdout=subprocess.DEVNULL)
    stats = json.loads((work / "mutants" / "mutmut-cicd-stats.json").read_text())
    listing = subprocess.run([*mutmut, "results"], cwd=work, env=environment(), check=True,
                             capture_output=True, text=True).stdout
    survivors = [line.split(":")[0].strip() for line in listing.splitlines()
                 if line.strip().endswith(("survived", "no tests", "suspicious", "not checked"))]
    total = stats["total"] - stats["skipped"]
    return Score(total=total, caught=stats["killed"] + stats["timeout"], survivors=survivors)


def run_tables(target: Target, workers: int = 2) -> Score:
    """Mutate the module's module-level tables and patterns; each mutant runs its tests in a
    process forked from this one (the app is imported once, not once per mutant)."""
    import pytest

    import storyboard  # noqa: F401 - imported once here, inherited by every fork

    os.environ.pop("STORYBOARD_TEST_DATABASE_URL", None)
    score, running = Score(), {}
    mutants = table_mutants(target.path)

    def reap() -> None:
        pid, status = os.wait()
        mutant = running.pop(pid)
        score.total += 1
        if os.waitstatus_to_exitcode(status) == 0:
            score.survivors.append(mutant.name)
        else:
            score.caught += 1

    def start(mutant: TableMutant | None, quiet: bool = True) -> int:
        pid = os.fork()
        if pid == 0:  # the child: apply the mutant, run the tests, leave
            if mutant is not None:
                apply(*json.loads(mutant.spec).values())
            if quiet:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
            code = pytest.main(["-p", "no:cacheprovider", "-x", "-q", *target.tests])
            os._exit(int(code))
        return pid

    # The tests must pass unmutated, or every mutant would look caught.
    _, status = os.waitpid(start(None, quiet=False), 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{target.name}: its tests fail without any mutant; fix them first.")
    for mutant in mutants:
        while len(running) >= workers:
            reap()
        running[start(mutant)] = mutant
    while running:
        reap()
    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"any of {', '.join(t.name for t in TARGETS)}")
    parser.add_argument("--survivors", action="store_true", help="list the mutants that survived")
    args = parser.parse_args()
    chosen = [target for target in TARGETS if not args.modules or target.name in args.modules]
    listed = equivalents()
    rows = []
    for target in chosen:
        score = run_mutmut(target)
        score.add(run_tables(target))
        equivalent = [name for name in score.survivors if name in listed]
        raw = score.caught / score.total if score.total else 1.0
        kept = score.total - len(equivalent)
        after = score.caught / kept if kept else 1.0
        rows.append((target, score, len(equivalent), raw, after))
        if args.survivors:
            for name in score.survivors:
                print(f"  {target.name}: survived {name}" + (" (listed equivalent)" if name in listed else ""))
    print(f"{'module':34} {'mutants':>8} {'caught':>7} {'equiv.':>7} {'raw':>7} {'after equiv.':>13}")
    for target, score, equivalent, raw, after in rows:
        print(f"{target.path:34} {score.total:8} {score.caught:7} {equivalent:7} {raw:7.1%} {after:13.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
