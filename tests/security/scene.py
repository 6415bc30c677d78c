"""Who makes a request and what it acts on, for the route matrices and the fuzz run.

Personas: `anonymous`; `owner`, the staff member the objects in the URL belong to (a story's
nominator, a nominee for `story_about` routes, the person in a /people/<id> URL, the person a
link token was made for); `other`, a staff member with no link to those objects; `curator` and
`admin`, who own nothing in the URL either; and `deactivated`, an admin whose session was
valid when they were deactivated.

Every cell of the matrix gets its own objects and its own owner (`Scene.build`), so what one
request changes never decides what the next one gets. To give a new kind of path parameter a
value, add the object to `Objects`/`Scene.build` and a line to `PATH_VALUES`.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from storyboard.auth.service import INVITE_SALT, RESET_SALT, make_token
from storyboard.digest.subscriptions import unsubscribe_token
from storyboard.extensions import db
from storyboard.models import (
    Applause,
    CanonCollection,
    CanonCollectionStory,
    DigestIssue,
    DigestIssueStory,
    FrictionItem,
    FrictionLink,
    FrictionStatus,
    Notification,
    Person,
    Story,
    StoryPhoto,
    StoryStatus,
    Value,
)
from storyboard.photos import service as photos
from storyboard.stories import revisions
from tests.helpers import session_token_for
from tests.photos.pictures import camera_jpeg

PERSONAS = ("anonymous", "owner", "other", "curator", "admin", "deactivated")
STATUSES = tuple(status.value for status in StoryStatus)
VALUE_STATES = ("active", "retired")
PASSWORD = "Quiet harbour lantern 1987"  # long and uncommon, for forms that check strength
ISSUE_KEY = "2026-11-30"
NEXT_ISSUE_ACTION = "pin"
STATIC_FILE = "css/storyboard.css"
INSIGHTS_TABLE = "departments"  # a dashboard section with both a chart and a CSV table
FRICTION_STATES = ("filed", "unfiled", "archived")  # the "friction" kind's variants ("" is "filed")
MANAGER_STATES = ("manager", "former_manager")  # "none" variants: the owner has an active report, or a leaver
RULE_IN_THE_WAY = "The refund rule needs a manager's signature. Nobody was in on Sunday."
PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>\w+)>")


@dataclass
class Objects:
    """What one cell's URL and form refer to; everything here is fresh for the cell."""

    owner: Person
    story: Story | None = None
    survivor: Story | None = None  # a published story by someone else, to merge into
    value: Value | None = None
    token: str | None = None
    issue_key: str = ISSUE_KEY
    collection: CanonCollection | None = None  # the reading path, holding `story`
    friction_item: FrictionItem | None = None  # HR's item, with `survivor` (and `story` unless "unfiled") filed
    photo: StoryPhoto | None = None  # the second of two photos on `story` (kind "photo")
    # What an integration's kind adds (see EXTRA_KINDS): plain values (ids, tokens), never rows,
    # so that `keep` and `load` carry them between app contexts as they are.
    extra: dict = field(default_factory=dict)


# How each path parameter is filled from a cell's objects.
PATH_VALUES = {
    "story_id": lambda objects: objects.story.id,
    "value_id": lambda objects: objects.value.id,
    "person_id": lambda objects: objects.owner.id,
    "slug": lambda objects: objects.value.slug,
    "token": lambda objects: objects.token,
    "issue_key": lambda objects: objects.issue_key,
    "action": lambda objects: NEXT_ISSUE_ACTION,
    "filename": lambda objects: STATIC_FILE,
    "collection_id": lambda objects: objects.collection.id,
    "move": lambda objects: "move-up",
    "change": lambda objects: "remove",
    "name": lambda objects: INSIGHTS_TABLE,
    "item_id": lambda objects: objects.friction_item.id,
    "photo_id": lambda objects: objects.photo.id,
}


# Kinds of objects an integration adds (tests/security/routes_*.py register theirs here):
# kind -> a function (scene, objects, variant) that adds rows and puts their ids in objects.extra.
# Their path parameters go in PATH_VALUES the same way.
EXTRA_KINDS: dict[str, Callable[[Scene, Objects, str], None]] = {}


def fill(rule: str, objects: Objects) -> str:
    """A concrete path for a rule, each parameter filled from the cell's objects."""

    def one(match: re.Match) -> str:
        name = match["name"]
        assert name in PATH_VALUES, f"no value for <{match[0]}> in {rule}: add one to PATH_VALUES"
        return str(PATH_VALUES[name](objects))

    return PLACEHOLDER.sub(one, rule)


class Scene:
    """The standing cast (personas, a nominee, a third nominator, a digest issue), built once per
    test, and `build(kind, variant)` for one cell's objects. Use inside an app context."""

    def __init__(self, app: Flask, make_person, make_story):
        self.app, self.make_person, self.make_story = app, make_person, make_story
        cast = {
            "other": make_person(name="Oscar Other"),
            "curator": make_person(name="Cora Curator", role="curator"),
            "admin": make_person(name="Ada Admin", role="admin"),
            "deactivated": make_person(name="Dee Deactivated", role="admin"),
            "nina": make_person(name="Nina Nominee"),  # on every story, so none is only its nominator's
            "tess": make_person(name="Tess Teller"),  # nominates the stories about the owner
        }
        self.ids = {name: person.id for name, person in cast.items()}
        self.value_id = db.session.scalars(select(Value.id).order_by(Value.position)).first()
        story = make_story(nominator=cast["tess"], nominees=[cast["nina"]], values=[self.value])
        issue = DigestIssue(issue_key=ISSUE_KEY, cut_at=datetime(2026, 11, 30, 7))
        issue.stories.append(DigestIssueStory(story_id=story.id, section="new", position=0))
        db.session.add(issue)
        db.session.commit()

    # Objects live in one app context each; the scene keeps ids and loads them when asked.
    nina = property(lambda self: db.session.get(Person, self.ids["nina"]))
    tess = property(lambda self: db.session.get(Person, self.ids["tess"]))
    value = property(lambda self: db.session.get(Value, self.value_id))

    def build(self, kind: str, variant: str = "") -> Objects:
        """Fresh objects of one kind ("none", "story", "story_about", "applauded", "value",
        "collection", "person", "password", "notified", "friction", "photo", "invite_token",
        "reset_token", "unsubscribe_token") in one variant (a story's status, a value's state, a person's
        "inactive", a friction's FRICTION_STATES, the owner's MANAGER_STATES for "none")."""
        owner = self.make_person(name="Owen Owner", password=PASSWORD if kind == "password" else None)
        objects = Objects(owner=owner)
        if kind in ("story", "story_about", "applauded", "photo"):
            objects.story = self._story(owner, kind, StoryStatus(variant or "published"))
            objects.survivor = self.make_story(nominator=self.tess, nominees=[self.nina], values=[self.value])
            if kind == "applauded":
                db.session.add_all(Applause(story_id=objects.story.id, person_id=self.ids[name])
                                   for name in ("other", "curator", "admin"))
                objects.story.applause_count = 3
            if kind == "photo":  # two photos, so that the second can move up
                picture = camera_jpeg(120, 80)
                objects.photo = [photos.add_photo(objects.story, owner, picture, f"Photo {number}")
                                 for number in (1, 2)][-1]
        elif kind == "collection":
            objects.story, objects.survivor = (
                self.make_story(nominator=self.tess, nominees=[self.nina], values=[self.value], in_canon=True,
                                canon_lesson="Ask first.", canonized_at=datetime(2026, 1, 5, 9))
                for _ in range(2))
            # The cell's own reading path (there is one at most), second in the list so that it can move up.
            db.session.execute(update(CanonCollection).values(onboarding=False))
            first = CanonCollection(name=f"Backstage heroes {owner.id}", position=1)
            objects.collection = CanonCollection(name=f"Start here {owner.id}", onboarding=True, position=2)
            db.session.add_all([first, objects.collection])
            db.session.flush()
            db.session.add(CanonCollectionStory(collection_id=objects.collection.id, story_id=objects.story.id,
                                                scenario="What would you do?"))
        elif kind == "friction":
            self._friction(objects, variant or "filed")
        elif kind == "value":
            objects.value = self._value(active=variant != "retired")
        elif kind == "person" and variant == "inactive":
            owner.active = False
        elif kind == "notified":
            db.session.add(Notification(person_id=owner.id, kind="thank_you", message="Someone thanked you."))
        elif kind.endswith("_token"):
            objects.token = {
                "invite_token": lambda: make_token(owner, INVITE_SALT),
                "reset_token": lambda: make_token(owner, RESET_SALT),
                "unsubscribe_token": lambda: unsubscribe_token(owner),
            }[kind]()
        elif kind in EXTRA_KINDS:
            EXTRA_KINDS[kind](self, objects, variant)
        elif kind == "none" and variant in MANAGER_STATES:
            # The owner manages one report (in the owner's department and location), who has left
            # for "former_manager": only a manager of active reports sees their recognition equity.
            self.make_person(name="Rhea Report", manager_id=owner.id, active=variant == "manager")
        else:
            assert kind in ("none", "person", "password"), f"unknown kind of objects {kind!r}"
        db.session.commit()
        return objects

    def keep(self, objects: Objects) -> dict:
        """The objects as ids, to `load` again in another app context."""
        ids = {name: getattr(objects, name)
               for name in ("owner", "story", "survivor", "value", "collection", "friction_item", "photo")}
        return {name: item.id if item is not None else None for name, item in ids.items()} | {
            "token": objects.token, "issue_key": objects.issue_key, "extra": dict(objects.extra)}

    def load(self, kept: dict) -> Objects:
        """Objects kept with `keep`, loaded in the current app context."""
        models = {"owner": Person, "story": Story, "survivor": Story, "value": Value, "collection": CanonCollection,
                  "friction_item": FrictionItem, "photo": StoryPhoto}
        return Objects(**{name: db.session.get(models[name], kept[name]) if kept[name] else None
                          for name in models}, token=kept["token"], issue_key=kept["issue_key"],
                       extra=dict(kept["extra"]))

    def _story(self, owner: Person, kind: str, status: StoryStatus) -> Story:
        """A story in `status` by the owner about Nina, or (`story_about`) by Tess about both,
        with a second revision so that revisions can be compared."""
        nina = self.nina
        nominator, nominees = (self.tess, [owner, nina]) if kind == "story_about" else (owner, [nina])
        extra = {} if status != StoryStatus.ARCHIVED else {"published_at": datetime.now() - timedelta(days=9)}
        story = self.make_story(nominator=nominator, nominees=nominees, status=status, values=[self.value],
                                body_md="She **rebuilt** the order by hand.", **extra)
        story.title = f"{story.title} (second version)"
        revisions.record_revision(story, nominator)
        return story

    def _friction(self, objects: Objects, variant: str) -> None:
        """HR's friction item, owned by the owner, with Tess's published friction (`survivor`)
        filed under it, and the owner's own story with a rule in the way (`story`): published and
        filed under the item too ("filed"), published and not filed yet ("unfiled"), or filed,
        then archived ("archived")."""
        assert variant in FRICTION_STATES, f"unknown friction variant {variant!r}"
        owner = objects.owner
        status = StoryStatus.ARCHIVED if variant == "archived" else StoryStatus.PUBLISHED
        extra = {} if status != StoryStatus.ARCHIVED else {"published_at": datetime.now() - timedelta(days=9)}
        objects.story = self.make_story(nominator=owner, nominees=[self.nina], values=[self.value], status=status,
                                        rule_in_the_way=RULE_IN_THE_WAY, **extra)
        objects.survivor = self.make_story(nominator=self.tess, nominees=[self.nina], values=[self.value],
                                           rule_in_the_way="Refunds over 50 pounds wait for finance.")
        objects.friction_item = FrictionItem(title=f"The refund rule {owner.id}", status=FrictionStatus.OPEN.value,
                                             note="", owner_id=owner.id)
        db.session.add(objects.friction_item)
        db.session.flush()
        filed = [objects.survivor] + ([objects.story] if variant != "unfiled" else [])
        db.session.add_all(FrictionLink(story_id=story.id, item_id=objects.friction_item.id) for story in filed)

    def _value(self, active: bool) -> Value:
        """A value with neighbours above and below, so it can move either way."""
        last = db.session.scalar(select(func.max(Value.position))) or 0
        number = db.session.scalar(select(func.count()).select_from(Value))
        value = Value(name=f"Matrix value {number}", slug=f"matrix-value-{number}",
                      description="Shown by the route checks.", position=last + 1, active=active)
        tail = Value(name=f"Matrix tail {number}", slug=f"matrix-tail-{number}",
                     description="Below the value the checks move.", position=last + 2)
        db.session.add_all([value, tail])
        return value

    def person(self, persona: str, objects: Objects) -> Person | None:
        """The person behind a persona in a cell (None for anonymous)."""
        if persona == "anonymous":
            return None
        if persona == "owner":
            return objects.owner
        return db.session.get(Person, self.ids[persona])

    def reset_personas(self) -> None:
        """Undo what a request may have done to the standing cast (roles, deactivation)."""
        for name, role in (("other", "staff"), ("curator", "curator"), ("admin", "admin"), ("deactivated", "admin")):
            person = db.session.get(Person, self.ids[name])
            person.role, person.active = role, True
        db.session.commit()

    def client_for(self, persona: str, objects: Objects) -> FlaskClient:
        """A new client signed in as the persona (the deactivated one is deactivated after)."""
        client = self.app.test_client()
        person = self.person(persona, objects)
        if person is None:
            return client
        if persona == "deactivated":
            person.active = True
        sign_in(client, person)
        if persona == "deactivated":
            person.active = False
            db.session.commit()
        return client


def sign_in(client: FlaskClient, person: Person) -> None:
    """Sign `person` in on `client` as the sign-in form would (a new server-side sign-in)."""
    token = session_token_for(client.application, person)
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


def yesterday() -> str:
    return (date.today() - timedelta(days=1)).isoformat()
