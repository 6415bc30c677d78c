"""Mutants of module-level tables, limits and regular expressions, which mutmut leaves alone.

`table_mutants(path)` lists them for a module: each element dropped from a set, tuple or list,
each key from a dict (and each element from a dict's collection values), each integer limit
moved by one, each flag negated, and for each compiled pattern: each alternative dropped, each
character-class member dropped, each lookaround removed, each optional part made required and
each counted repeat moved by one. Loaded as a pytest plugin (`-p mutation.tables`), this module
applies the mutant named in STORYBOARD_TABLE_MUTANT before the tests run.
"""
from __future__ import annotations

import ast
import importlib
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UPPER = re.compile(r"_?[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True)
class TableMutant:
    name: str  # readable, and the key in tests/mutation-equivalents.txt
    spec: str  # JSON for STORYBOARD_TABLE_MUTANT


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def constant_names(path: str) -> list[str]:
    """UPPER_CASE names assigned at the top level of the module, in source order."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        names += [target.id for target in targets if isinstance(target, ast.Name) and UPPER.match(target.id)]
    return list(dict.fromkeys(names))


def variants(value) -> Iterator[tuple[str, object]]:
    """(description, mutated value) for each way of breaking one constant."""
    if isinstance(value, re.Pattern):
        for description, pattern in pattern_variants(value.pattern):
            try:
                yield description, re.compile(pattern, value.flags)
            except re.error:
                continue
    elif isinstance(value, bool):
        yield f"not {value}", not value
    elif isinstance(value, int):
        yield f"{value + 1}", value + 1
        yield f"{value - 1}", value - 1
    elif isinstance(value, dict):
        for key in sorted(value, key=repr):
            yield f"drop key {key!r}", {k: v for k, v in value.items() if k != key}
            inner = value[key]
            if isinstance(inner, (frozenset, set, tuple, list)) and not isinstance(inner, str):
                for element in sorted(inner, key=repr):
                    smaller = type(inner)(item for item in inner if item != element)
                    yield f"drop {element!r} from {key!r}", {**value, key: smaller}
    elif isinstance(value, (frozenset, set, tuple, list)):
        for element in sorted(set(value), key=repr):
            yield f"drop {element!r}", type(value)(item for item in value if item != element)


# Constants not mutated here, and why.
NOT_MUTATED = {
    # Bleach's own URL pattern with one change: its list of 300 top-level domains is bleach's.
    "storyboard.markdown:_BARE_URL",
}


def table_mutants(path: str) -> list[TableMutant]:
    module = importlib.import_module(module_name(path))
    found = []
    for name in constant_names(path):
        if f"{module.__name__}:{name}" in NOT_MUTATED:
            continue
        for index, (description, _) in enumerate(variants(getattr(module, name))):
            spec = json.dumps({"module": module.__name__, "name": name, "index": index})
            found.append(TableMutant(f"{module.__name__}:{name}:{description}", spec))
    return found


# Regular expressions, read token by token: escapes and character classes stay whole.

_QUANTIFIER = re.compile(r"\{(\d+)(,(\d*))?\}")


def _tokens(pattern: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) for each token: 'escape', 'class', 'open', 'close', 'bar', 'count',
    'optional' (a ? that makes something optional), 'char'."""
    tokens, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            tokens.append((i, i + 2, "escape"))
            i += 2
        elif c == "[":
            j = i + 1 + (pattern[i + 1:i + 2] == "^")
            j += pattern[j:j + 1] == "]"
            while j < len(pattern) and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            tokens.append((i, j + 1, "class"))
            i = j + 1
        elif c == "(":
            j = _group_prefix_end(pattern, i)
            tokens.append((i, j, "open"))
            i = j
        elif c == ")":
            tokens.append((i, i + 1, "close"))
            i += 1
        elif c == "|":
            tokens.append((i, i + 1, "bar"))
            i += 1
        elif c == "{" and _QUANTIFIER.match(pattern, i):
            end = _QUANTIFIER.match(pattern, i).end()
            tokens.append((i, end, "count"))
            i = end
        elif c == "?" and tokens and tokens[-1][2] not in ("open", "bar") and pattern[i - 1] not in "*+?}":
            tokens.append((i, i + 1, "optional"))
            i += 1
        else:
            tokens.append((i, i + 1, "char"))
            i += 1
    return tokens


def _group_prefix_end(pattern: str, i: int) -> int:
    """Where the opening of the group at `i` ends: after "(", "(?:", "(?<!", "(?P<name>"..."""
    if pattern.startswith("(?P<", i):
        return pattern.index(">", i) + 1
    if pattern.startswith(("(?<=", "(?<!"), i):
        return i + 4
    if pattern.startswith(("(?:", "(?=", "(?!"), i):
        return i + 3
    if pattern.startswith("(?", i):  # inline flags: (?i) or (?i:...)
        j = i + 2
        while j < len(pattern) and (pattern[j].isalpha() or pattern[j] == "-"):
            j += 1
        return j + (pattern[j:j + 1] == ":")
    return i + 1


def _groups(tokens, length: int) -> list[tuple[int, int, list[int]]]:
    """(content start, content end, positions of its top-level bars) for each group and the
    whole pattern."""
    stack, groups = [(0, [])], []
    for start, end, kind in tokens:
        if kind == "open":
            stack.append((end, []))
        elif kind == "bar":
            stack[-1][1].append(start)
        elif kind == "close" and len(stack) > 1:
            content_start, bars = stack.pop()
            groups.append((content_start, start, bars))
    groups.append((0, length, stack[0][1]))
    return groups


def pattern_variants(pattern: str) -> Iterator[tuple[str, str]]:
    """(description, pattern) for each one-token break of a regular expression."""
    tokens = _tokens(pattern)
    for start, end, kind in tokens:
        text = pattern[start:end]
        if kind == "optional":
            yield f"pattern: required at {start}", pattern[:start] + pattern[end:]
        elif kind == "count":
            low, _, high = text[1:-1].partition(",")
            for new_low in {int(low) - 1, int(low) + 1} - {-1}:
                rebuilt = "{" + str(new_low) + ("," + high if "," in text else "") + "}"
                yield f"pattern: {text} -> {rebuilt}", pattern[:start] + rebuilt + pattern[end:]
            if high:
                for new_high in {int(high) - 1, int(high) + 1}:
                    rebuilt = "{" + low + "," + str(new_high) + "}"
                    yield f"pattern: {text} -> {rebuilt}", pattern[:start] + rebuilt + pattern[end:]
        elif kind == "class":
            body_start = start + 1 + (pattern[start + 1:start + 2] == "^")
            members = re.findall(r"\\.|.-(?!\])[^\\\]]|.", pattern[body_start:end - 1])
            if len(members) > 1:
                offset = body_start
                for member in members:
                    yield (f"pattern: drop {member!r} from {text}",
                           pattern[:offset] + pattern[offset + len(member):])
                    offset += len(member)
        elif kind == "open" and text.startswith(("(?<!", "(?<=", "(?!", "(?=")):
            depth, close = 0, None
            for other_start, _, other_kind in tokens:
                if other_start < start:
                    continue
                depth += other_kind == "open"
                depth -= other_kind == "close"
                if depth == 0:
                    close = other_start
                    break
            if close is not None:
                yield f"pattern: remove {pattern[start:close + 1]}", pattern[:start] + pattern[close + 1:]
    for content_start, content_end, bars in _groups(tokens, len(pattern)):
        edges = [content_start, *bars, content_end]
        for n in range(len(edges) - 1 if bars else 0):
            left, right = edges[n], edges[n + 1]
            dropped = pattern[left + (n > 0):right]
            remove_from, remove_to = (left, right) if n > 0 else (left, right + 1)
            yield f"pattern: drop alternative {dropped!r}", pattern[:remove_from] + pattern[remove_to:]


def pytest_configure(config) -> None:
    """As a pytest plugin: apply the mutant named in STORYBOARD_TABLE_MUTANT."""
    spec = os.environ.get("STORYBOARD_TABLE_MUTANT")
    if spec:
        wanted = json.loads(spec)
        apply(wanted["module"], wanted["name"], wanted["index"])


def apply(module_path: str, name: str, index: int) -> None:
    """Replace the constant, then run again the module's later top-level assignments, so that
    what was built from it at import (a sanitiser, a combined pattern) is built from the mutant.
    Functions read module globals when called, so they need nothing."""
    module = importlib.import_module(module_path)
    original = getattr(module, name)
    _, mutated = list(variants(original))[index]
    setattr(module, name, mutated)
    # Modules that imported the constant by name hold the original object: give them the mutant.
    for other in list(sys.modules.values()):
        if getattr(other, "__name__", "").startswith("storyboard") and getattr(other, name, None) is original:
            setattr(other, name, mutated)
    source = Path(module.__file__).read_text(encoding="utf-8")
    after = False
    for node in ast.parse(source).body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            after = True
        elif after:
            exec(compile(ast.Module([node], []), module.__file__, "exec"), module.__dict__)
