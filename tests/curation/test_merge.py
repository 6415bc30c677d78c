"""Merging two nominations of the same moment."""
import re
import threading
import time

from sqlalchemy import select

from storyboard.curation import merge as merging
from storyboard.curation.service import CurationRefused
from storyboard.extensions import db
from storyboard.models import AuditEntry, Person, Story, StoryStatus, ThankYou, Value


def test_merge_keeps_people_values_credit_applause_and_readers(client, ctx, as_role, make_story, make_person, login):
    chosen = select(Value).where(Value.slug.in_(["courtesy", "empathy"])).order_by(Value.position)
    courtesy, empathy = db.session.scalars(chosen).all()
    ana, ben, cat = make_person(name="Ana"), make_person(name="Ben"), make_person(name="Cat")
    first_author, second_author = make_person(name="First Author"), make_person(name="Second Author")
    survivor = make_story(nominator=first_author, nominees=[ana], values=[courtesy], title="The flood at Leeds")
    duplicate = make_story(nominator=second_author, nominees=[ana, ben], values=[empathy],
                           status=StoryStatus.SUBMITTED, title="Leeds store flood")
    both, only_dup = make_person(), make_person()
    for person, stories in ((both, [survivor, duplicate]), (only_dup, [duplicate])):
        login(person)
        for story in stories:
            story.status = "published"
            db.session.commit()
            client.get(f"/stories/{story.id}")
            client.post(f"/stories/{story.id}/applause")
            client.post(f"/stories/{story.id}/thanks", data={"body_md": f"Thanks from {person.name}"})
    duplicate.status = "submitted"
    db.session.commit()

    as_role("curator")
    response = client.post(f"/queue/{duplicate.id}/merge", data={"into": f"#{survivor.id}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/stories/{survivor.id}"
    db.session.refresh(survivor)
    db.session.refresh(duplicate)
    assert [p.name for p in survivor.nominees] == ["Ana", "Ben"]
    assert {v.slug for v in survivor.values} == {"courtesy", "empathy"}
    assert [p.name for p in survivor.co_nominators] == ["Second Author"]
    assert (survivor.applause_count, survivor.reader_count) == (2, 2)  # `both` counted once
    assert len(db.session.scalars(select(ThankYou).where(ThankYou.story_id == survivor.id)).all()) == 3
    assert (duplicate.status, duplicate.merged_into_id) == ("archived", survivor.id)
    assert "Ben" in survivor.search_text
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "story.merge")).one()
    assert entry.after["merged_into"] == survivor.id
    assert cat not in survivor.nominees


def test_staff_following_an_old_link_land_on_the_survivor(client, ctx, as_role, make_story):
    survivor = make_story()
    duplicate = make_story()
    as_role("curator")
    client.post(f"/queue/{duplicate.id}/merge", data={"into": str(survivor.id)})
    as_role("staff")
    response = client.get(f"/stories/{duplicate.id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/stories/{survivor.id}"


def test_bad_merges_are_refused_clearly(client, ctx, as_role, make_story):
    story = make_story()
    rejected = make_story(status=StoryStatus.REJECTED)
    as_role("curator")
    cases = [
        ({"into": "abc"}, 400, "Give the number of the story to merge into"),
        ({"into": "999999"}, 400, "There is no story number 999999."),
        ({"into": str(story.id)}, 409, "A story cannot be merged into itself."),
        ({"into": str(rejected.id)}, 409, "A rejected story cannot be merged."),
    ]
    for form, status, message in cases:
        response = client.post(f"/queue/{story.id}/merge", data=form)
        assert response.status_code == status, form
        assert message in response.get_data(as_text=True), form
    assert db.session.get(Story, story.id).status == "published"


def test_a_duplicate_merged_already_is_refused_with_a_409(client, ctx, as_role, make_story):
    first, second = make_story(title="First"), make_story(title="Second")
    duplicate = make_story(status=StoryStatus.SUBMITTED, title="Duplicate")
    as_role("curator")
    assert client.post(f"/queue/{duplicate.id}/merge", data={"into": first.id}).status_code == 302
    response = client.post(f"/queue/{duplicate.id}/merge", data={"into": second.id})
    assert response.status_code == 409
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "story.merge")).all()) == 1


def test_two_curators_merging_one_duplicate_at_once_one_wins(app, database_url, make_person, make_story):
    # The first merge holds its transaction open until the second is waiting on it (or, were
    # the duplicate not claimed first, has finished), so the two truly overlap.
    with app.app_context():
        curators = [make_person(role="curator").id for _ in range(2)]
        ana, ben = make_person(name="Ana"), make_person(name="Ben")
        targets = [make_story(nominees=[ana], title="Target A").id, make_story(nominees=[ana], title="Target B").id]
        duplicate_id = make_story(nominees=[ben], status=StoryStatus.SUBMITTED).id
    outcomes: dict[str, str] = {}
    first_claimed = threading.Event()

    def merge(name: str, target_id: int, curator_id: int, before_commit=None) -> None:
        with app.app_context():
            duplicate = db.session.get(Story, duplicate_id)
            target = db.session.get(Story, target_id)
            try:
                merging.merge(duplicate, target, db.session.get(Person, curator_id))
            except CurationRefused:
                db.session.rollback()
                outcomes[name] = "refused"
                return
            if before_commit:
                before_commit()
            db.session.commit()
            outcomes[name] = "merged"

    def hold_until_the_other_waits() -> None:
        first_claimed.set()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and "second" not in outcomes:
            time.sleep(0.02)

    first = threading.Thread(target=merge, args=("first", targets[0], curators[0], hold_until_the_other_waits))
    first.start()
    assert first_claimed.wait(10)
    second = threading.Thread(target=merge, args=("second", targets[1], curators[1]))
    second.start()
    first.join(20)
    second.join(20)
    assert outcomes == {"first": "merged", "second": "refused"}
    with app.app_context():
        assert db.session.get(Story, duplicate_id).merged_into_id == targets[0]
        target_b = db.session.get(Story, targets[1])
        assert [person.name for person in target_b.nominees] == ["Ana"]  # nothing copied into B
        merges = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "story.merge")).all()
        assert len(merges) == 1


def test_drafts_are_never_merged_either_way(client, ctx, as_role, make_story):
    # A draft is its author's until they submit it: HR can neither fold it away nor fold
    # a published story (its applause, readers and notes) into it.
    draft = make_story(status=StoryStatus.DRAFT, title="Half-written")
    published = make_story(title="Out there")
    as_role("curator")
    for duplicate, survivor in ((draft, published), (published, draft)):
        response = client.post(f"/queue/{duplicate.id}/merge", data={"into": survivor.id})
        assert response.status_code == 409
        assert "A draft story cannot be merged." in response.get_data(as_text=True)
    db.session.refresh(draft)
    db.session.refresh(published)
    assert (draft.status, draft.merged_into_id) == ("draft", None)
    assert (published.status, published.merged_into_id) == ("published", None)
    assert f'action="/queue/{draft.id}/merge"' not in client.get(f"/stories/{draft.id}").get_data(as_text=True)


def test_a_refused_merge_shows_the_story_again_with_the_number_typed(client, ctx, as_role, make_story):
    story = make_story()
    as_role("curator")
    for typed, status in (("4x2", 400), ("999999", 400), (str(story.id), 409)):
        response = client.post(f"/queue/{story.id}/merge", data={"into": typed})
        page = response.get_data(as_text=True)
        assert response.status_code == status, typed
        assert 'id="curator-heading"' in page  # the story page with its curator panel, not an error page
        assert re.search(rf'<input id="merge-into"[^>]*value="{re.escape(typed)}"', page), typed
