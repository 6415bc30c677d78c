"""A story's revisions: a snapshot at every save, the audit of curator edits, and diffs.

Every save through `stories.service.save_story` records a revision, so revision 1 is the first
save. When a curator edits someone else's story, the audit log also gets the fields that changed.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from storyboard import audit
from storyboard.extensions import db
from storyboard.models import Person, Story, StoryRevision

# The fields a revision keeps, in the order the compare page shows them, with their labels.
REVISION_FIELDS: dict[str, str] = {
    "title": "Title",
    "body_md": "Story",
    "impact": "The difference it made",
    "rule_in_the_way": "A rule that got in the way",
    "value_names": "Values",
    "nominee_names": "Nominees",
}
LIST_FIELDS = frozenset({"value_names", "nominee_names"})


def snapshot(story: Story) -> dict[str, Any]:
    """What a curator can change on a story, as plain values fit for JSON."""
    return {
        "title": story.title,
        "body_md": story.body_md,
        "impact": story.impact or "",
        "rule_in_the_way": story.rule_in_the_way,
        # Sorted here, not by the database, so an unchanged save compares equal on any dialect.
        "value_names": [
            value.name for value in sorted(story.values, key=lambda value: (value.position, value.name))
        ],
        "nominee_names": sorted(person.name for person in story.nominees),
        # Not kept in revisions (the table has no column for them), but audited all the same.
        "impact_kind": story.impact_kind,
        "happened_on": story.happened_on.isoformat() if story.happened_on else None,
        "evidence_quote": story.evidence_quote,
        "evidence_score": story.evidence_score,
        "evidence_score_max": story.evidence_score_max,
        "evidence_link": story.evidence_link,
    }


def is_curator_edit(story: Story, editor: Person) -> bool:
    """A curator or admin changing a story someone else nominated."""
    return editor.is_curator and editor.id != story.nominator_id


def record_revision(
    story: Story, editor: Person, before: dict[str, Any] | None = None
) -> StoryRevision:
    """Add the story's current content as its next revision; audit it if it is a curator edit.

    `before` is `snapshot(story)` taken before the edit; without it, the previous revision
    stands in (stories created before revisions existed have none, so they audit no "before").
    """
    if story.id is None:
        db.session.flush()  # a new story needs its id before it can have revisions
    latest = db.session.scalar(
        select(func.max(StoryRevision.number)).where(StoryRevision.story_id == story.id)
    )
    after = snapshot(story)
    revision = StoryRevision(
        story_id=story.id,
        number=(latest or 0) + 1,
        editor_id=editor.id,
        **{name: after[name] for name in REVISION_FIELDS},
    )
    db.session.add(revision)
    if is_curator_edit(story, editor):
        if before is None and latest is not None:
            before = _revision_values(_revision(story.id, latest))
        changed = [
            name for name in after
            if before is None or (name in before and before[name] != after[name])
        ]
        if changed:
            audit.record(
                editor, "story.edit", "story", story.id,
                before={name: before[name] for name in changed} if before else None,
                after={name: after[name] for name in changed},
            )
    return revision


def can_see_history(person: Person, story: Story) -> bool:
    """Curators and admins see every story's history; a nominator sees their own."""
    return person.is_curator or story.nominator_id == person.id


def revisions_of(story: Story) -> list[StoryRevision]:
    """The story's revisions, newest first, with their editors."""
    return list(
        db.session.scalars(
            select(StoryRevision)
            .where(StoryRevision.story_id == story.id)
            .order_by(StoryRevision.number.desc())
            .options(selectinload(StoryRevision.editor))
        )
    )


def _revision(story_id: int, number: int) -> StoryRevision | None:
    return db.session.scalar(
        select(StoryRevision).where(
            StoryRevision.story_id == story_id, StoryRevision.number == number
        )
    )


def find_revision(story: Story, number: int) -> StoryRevision | None:
    """The story's revision with that number, or None."""
    return _revision(story.id, number)


def _revision_values(revision: StoryRevision) -> dict[str, Any]:
    return {name: getattr(revision, name) for name in REVISION_FIELDS}


@dataclass(frozen=True)
class FieldDiff:
    """One field of two revisions compared: its label, whether it changed, and the marked-up diff."""

    name: str
    label: str
    changed: bool
    markup: Markup


def compare(old: StoryRevision, new: StoryRevision) -> list[FieldDiff]:
    """Field by field, how `new` differs from `old`."""
    diffs = []
    for name, label in REVISION_FIELDS.items():
        before, after = getattr(old, name), getattr(new, name)
        if name in LIST_FIELDS:
            markup = diff_lists(before or [], after or [])
        else:
            markup = diff_text(before or "", after or "")
        diffs.append(FieldDiff(name, label, (before or None) != (after or None), markup))
    return diffs


# Words, runs of spaces and single punctuation marks; joined back together they give the text.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# Sentences (with the spaces after them), runs without an end mark, and line breaks; these too
# join back into the text. Each alternative starts where the last match ended: linear time.
_SEGMENT = re.compile(r"[^\n.!?]*[.!?]+[^\S\n]*|[^\n.!?]+|\n")
# SequenceMatcher's time grows with the square of its input; past this many words and spaces a
# changed passage is shown removed and added whole rather than word by word.
MAX_WORD_DIFF_TOKENS = 1500


def _marked(tag: str | None, text: str) -> Markup:
    """Escaped text, line breaks kept as <br>, in <ins> or <del> when tagged."""
    if not text:
        return Markup("")
    escaped = escape(text).replace("\n", Markup("<br>\n"))
    if tag is None:
        return escaped
    # Bandit B704 checked: `tag` is "ins" or "del" from this module; format() escapes the text.
    return Markup(f"<{tag}>{{}}</{tag}>").format(escaped)  # nosec B704


def _diff_sequences(old: list[str], new: list[str], refine=None) -> Markup:
    parts: list[Markup] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if op == "equal":
            parts.append(_marked(None, removed))
        elif op == "replace" and refine is not None:
            parts.append(refine(removed, added))
        else:
            parts.append(_marked("del", removed))
            parts.append(_marked("ins", added))
    return Markup("").join(parts)


def diff_words(old: str, new: str) -> Markup:
    """A word-level diff, every piece of text escaped, changes in <del> and <ins>."""
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    if max(len(old_tokens), len(new_tokens)) > MAX_WORD_DIFF_TOKENS:
        return _marked("del", old) + _marked("ins", new)
    return _diff_sequences(old_tokens, new_tokens)


def diff_text(old: str, new: str) -> Markup:
    """Sentences and lines first, so long stories stay quick to compare; then words within
    the passages that changed."""
    return _diff_sequences(_SEGMENT.findall(old), _SEGMENT.findall(new), diff_words)


def diff_lists(old: list[str], new: list[str]) -> Markup:
    """Names kept, removed (<del>) and added (<ins>), comma-separated."""
    kept = [_marked(None, name) for name in new if name in old]
    removed = [_marked("del", name) for name in old if name not in new]
    added = [_marked("ins", name) for name in new if name not in old]
    return Markup(", ").join(kept + removed + added)
