"""Finding likely customer personal data: table-driven positives and negatives, then where it shows."""
import time

import pytest

from storyboard.extensions import db
from storyboard.models import Story, StoryStatus
from storyboard.pii import (
    Finding,
    Kind,
    NeedsConfirmation,
    check_publish,
    find_personal_data,
    highlight,
    luhn_valid,
    story_findings,
)

# (text, kind, the part of the text that must be found)
POSITIVES = [
    ("Email jo.bloggs@example.com for the refund", Kind.EMAIL, "jo.bloggs@example.com"),
    ("She wrote to JO_BLOGGS+orders@mail.example.co.uk.", Kind.EMAIL, "JO_BLOGGS+orders@mail.example.co.uk"),
    ("(a.n.other@example.org)", Kind.EMAIL, "a.n.other@example.org"),
    # Any character a local part may hold, first or later, and any case or digit in the domain.
    ("write to _jo@example.com", Kind.EMAIL, "_jo@example.com"),
    ("write to josé@example.com", Kind.EMAIL, "josé@example.com"),
    ("write to jo-anne@example.com", Kind.EMAIL, "jo-anne@example.com"),
    ("write to jo%team@example.com", Kind.EMAIL, "jo%team@example.com"),
    ("WRITE TO JO@EXAMPLE.COM", Kind.EMAIL, "JO@EXAMPLE.COM"),
    ("write to jo@mail2.example.com", Kind.EMAIL, "jo@mail2.example.com"),
    ("write to jo@my-shop.example.com", Kind.EMAIL, "jo@my-shop.example.com"),
    ("the old jo@example.com_2019 address", Kind.EMAIL, "jo@example.com"),
    ("Call 07700 900123 after six", Kind.PHONE, "07700 900123"),
    ("mobile 07700900123", Kind.PHONE, "07700900123"),
    ("Her number is +44 20 7946 0958.", Kind.PHONE, "+44 20 7946 0958"),
    ("or +44 (0)20 7946 0958", Kind.PHONE, "+44 (0)20 7946 0958"),
    ("landline 0113 496 0000", Kind.PHONE, "0113 496 0000"),
    ("landline (0113) 496 0000", Kind.PHONE, "(0113) 496 0000"),
    ("dial 020-7946-0958", Kind.PHONE, "020-7946-0958"),
    ("from abroad 0044 20 7946 0958", Kind.PHONE, "0044 20 7946 0958"),
    ("US office (555) 123-4567", Kind.PHONE, "(555) 123-4567"),
    ("US office 555-123-4567", Kind.PHONE, "555-123-4567"),
    ("US office 555.123.4567", Kind.PHONE, "555.123.4567"),
    ("US office 555 123 4567", Kind.PHONE, "555 123 4567"),
    ("US office (555)123-4567", Kind.PHONE, "(555)123-4567"),
    ("US office (555) 123 4567", Kind.PHONE, "(555) 123 4567"),
    ("US office (555) 123.4567", Kind.PHONE, "(555) 123.4567"),
    ("landline (0113)4960000", Kind.PHONE, "(0113)4960000"),
    ("or +44(0)20 7946 0958", Kind.PHONE, "+44(0)20 7946 0958"),
    ("Tel 0113) 496 0000", Kind.PHONE, "0113) 496 0000"),  # a stray parenthesis hides nothing
    ("(07700 900123 after six)", Kind.PHONE, "07700 900123"),
    ("Tel.07700 900123", Kind.PHONE, "07700 900123"),
    ("Call me,07700 900123", Kind.PHONE, "07700 900123"),
    # International numbers have 9 to 15 digits; past that, the longest number that fits.
    ("Luxembourg +352 261 234", Kind.PHONE, "+352 261 234"),
    ("Beijing +86 139 1234 5678 90", Kind.PHONE, "+86 139 1234 5678 90"),  # never a card
    ("Beijing +86 139 1234 5678 901", Kind.PHONE, "+86 139 1234 5678"),
    ("from abroad 0031 20 12345", Kind.PHONE, "0031 20 12345"),
    ("from abroad 0086 139 1234 5678 9", Kind.PHONE, "0086 139 1234 5678"),
    ("rang +33 1 23 45 67 89 10 times", Kind.PHONE, "+33 1 23 45 67 89"),
    ("US office +1 555 123 4567", Kind.PHONE, "+1 555 123 4567"),
    ("Paris +33 1 23 45 67 89", Kind.PHONE, "+33 1 23 45 67 89"),
    ("(call 07700 900123)", Kind.PHONE, "07700 900123"),
    ("in 2019 07700 900123 rang 2 times", Kind.PHONE, "07700 900123"),
    # Ten digits with the leading 0 (French numbers, some UK ones), however they are grouped.
    ("Paris office 01 23 45 67 89", Kind.PHONE, "01 23 45 67 89"),
    ("Paris office 01.23.45.67.89", Kind.PHONE, "01.23.45.67.89"),
    ("Paris office 01-23-45-67-89", Kind.PHONE, "01-23-45-67-89"),
    ("ring 0123456789", Kind.PHONE, "0123456789"),
    # A price or an identifier next to a phone number does not hide the number.
    ("ref 12345abc, then call 07700 900123", Kind.PHONE, "07700 900123"),
    ("It cost £ 120, so call 07700 900123", Kind.PHONE, "07700 900123"),
    ("It cost £ 120 07700 900123 took the order", Kind.PHONE, "07700 900123"),
    ("Paid $ 5 07700 900123 rang", Kind.PHONE, "07700 900123"),
    ("Call 07700 900123 12345abc is her ref", Kind.PHONE, "07700 900123"),
    ("She rang 07700 900123 3,000 times", Kind.PHONE, "07700 900123"),
    ("She rang 07700 900123 2 times", Kind.PHONE, "07700 900123"),
    ("card 4111 1111 1111 1111 declined", Kind.CARD, "4111 1111 1111 1111"),
    ("card 4111-1111-1111-1111", Kind.CARD, "4111-1111-1111-1111"),
    ("card 4111111111111111", Kind.CARD, "4111111111111111"),
    ("amex 3782 822463 10005", Kind.CARD, "3782 822463 10005"),
    ("visa 4222222222222", Kind.CARD, "4222222222222"),
    ("card-4111-1111-1111-1111", Kind.CARD, "4111-1111-1111-1111"),
    ("order #12345678 was lost", Kind.ORDER, "#12345678"),
    ("parcel #12345678", Kind.ORDER, "#12345678"),
    ("Order 1234567 arrived", Kind.ORDER, "1234567"),
    ("order no. 99887766", Kind.ORDER, "99887766"),
    ("order number: 55512", Kind.ORDER, "55512"),
    ("Order reference 887766", Kind.ORDER, "887766"),
    ("see ORD-123456", Kind.ORDER, "ORD-123456"),
    ("see SO123456", Kind.ORDER, "SO123456"),
    ("see PO-778899", Kind.ORDER, "PO-778899"),
    ("see ORDER#445566", Kind.ORDER, "ORDER#445566"),
    # Five digits are enough for an order number; four are not (see NEGATIVES).
    ("order 12345 was lost", Kind.ORDER, "12345"),
    ("parcel #12345", Kind.ORDER, "#12345"),
    ("see PO-12345", Kind.ORDER, "PO-12345"),
    ("order no 12345", Kind.ORDER, "12345"),
    ("order num 12345", Kind.ORDER, "12345"),
    ("order ref 12345", Kind.ORDER, "12345"),
    ("Order ID 12345", Kind.ORDER, "12345"),
    ("see INV-12345", Kind.ORDER, "INV-12345"),
    ("see RMA-12345", Kind.ORDER, "RMA-12345"),
    ("ticket#12345", Kind.ORDER, "#12345"),
    # Up to 20 digits (see NEGATIVES for 21).
    ("order 12345678901234567890", Kind.ORDER, "12345678901234567890"),
    ("parcel #12345678901234567890", Kind.ORDER, "#12345678901234567890"),
    ("see PO-12345678901234567890", Kind.ORDER, "PO-12345678901234567890"),
]

NEGATIVES = [
    "It happened in 2019.",
    "From 1999 to 2023 she worked here.",
    "On 12/05/2023 the van broke down.",
    "On 2023-05-12 the van broke down.",
    "On 12.05.2023 at 14:30 the van broke down.",
    "01.02.2023 1030 was the slot",
    "On 01.02.2023 10 parcels came",
    "On 01-02-2023 10 boxes came",
    "It cost £1,234.56 in the end.",
    "It cost £1234567890 in the end.",
    "Refund of $07700 900123",
    "The refund was 123.45 and 12,345,678 units shipped.",
    "Call 999 or 111, or the 101 line.",
    "Room 4, floor 12, desk 345.",
    "We shipped 5551234567 parcels",
    "Extension 12345 and 123 456",
    "Version 10.2.3.4",
    "ISO 9001 and 27001",
    "Card 4111 1111 1111 1112 fails the Luhn check",
    "All zeros 0000 0000 0000 0000",
    "In order 12 to keep",
    "order 1234 was lost",
    "parcel #1234",
    "see PO-1234",
    "In order to help, she stayed",
    "so 123456 people",
    "ALSO123456 is not a code",
    "HTML entity &#12345678; stays",
    "Twitter @customer is not an email",
    "email me at jo@localhost",
    "token abc0113496000def",
    "I placed the order. 12345 people saw it.",
    "order 123456789012345678901",
    "parcel #123456789012345678901",
    "see PO-123456789012345678901",
    "the colour #12345f",
    "see PO-12345X",
    "Delivered (01.02.2023) 10 parcels",
    "A placeholder like 555-555-5555",
    "Her review got a +1 from the team.",
    "Scores went +0 5 10 15 20 25 30 over the weeks.",
    "Luxembourg +352 261 23",
    "from abroad 0031 20 1234",
    "£ 07700 900123 was refunded",
    "Refund of $ 07700 900123",
    "token 0113496000abc",
    "tracking code 07700900123XY",
    "product SKU07700900123",
    "jo@example.c",
    "tracking 99994111111111111111",  # Luhn-valid in its last 16 digits
    "a ratio of 0.4111111111111111",
    "a ratio of 0,4111111111111111",
    "ref 4111111111111111X",
    "Mixed 4111 1111-1111 1111",
    "",
]


@pytest.mark.parametrize("text, kind, expected", POSITIVES, ids=[p[2] for p in POSITIVES])
def test_finds_personal_data(text, kind, expected):
    findings = find_personal_data(text)
    assert [(f.kind, f.text) for f in findings] == [(kind, expected)]
    finding = findings[0]
    assert text[finding.start : finding.end] == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_leaves_ordinary_numbers_alone(text):
    assert find_personal_data(text) == []


def test_several_kinds_in_order_without_overlaps():
    text = (
        "Mrs Smith (smith.j@example.com, 07700 900123) paid with 4111 1111 1111 1111 "
        "for order #12345678; her email 07700900123@example.com is odd."
    )
    found = find_personal_data(text)
    assert [(f.kind, f.text) for f in found] == [
        (Kind.EMAIL, "smith.j@example.com"),
        (Kind.PHONE, "07700 900123"),
        (Kind.CARD, "4111 1111 1111 1111"),
        (Kind.ORDER, "#12345678"),
        (Kind.EMAIL, "07700900123@example.com"),  # an email, not also a phone number
    ]
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))


def test_none_is_nothing():
    assert find_personal_data(None) == []


# Payment networks' published test numbers, and each with its last digit one more: a card
# number mistyped by one digit fails the check and is not flagged (nor is it a phone number).
CARDS = [
    ("5555 5555 5555 4444", "5555 5555 5555 4445"),  # Mastercard
    ("5105 1051 0510 5100", "5105 1051 0510 5101"),
    ("4012 8888 8888 1881", "4012 8888 8888 1882"),  # Visa
    ("4000 0566 5566 5556", "4000 0566 5566 5557"),
    ("6011 1111 1111 1117", "6011 1111 1111 1118"),  # Discover
    ("6011 0009 9013 9424", "6011 0009 9013 9425"),
    ("3714 496353 98431", "3714 496353 98432"),  # American Express, 15 digits
    ("3056 930902 5904", "3056 930902 5905"),  # Diners Club, 14 digits
    ("3530 1113 3330 0000", "3530 1113 3330 0001"),  # JCB
    ("6229431234567890127", "6229431234567890128"),  # 19 digits, the longest
]


@pytest.mark.parametrize("card, mistyped", CARDS, ids=[card for card, _ in CARDS])
def test_cards_pass_the_check_digit_and_one_digit_off_does_not(card, mistyped):
    assert [(f.kind, f.text) for f in find_personal_data(f"Paid with {card} today")] == [(Kind.CARD, card)]
    assert find_personal_data(f"Paid with {mistyped} today") == []


def test_a_number_too_long_or_too_short_for_a_card_is_not_one():
    # Both pass the check digit: 20 digits and 12 digits are no card's length.
    assert find_personal_data("ref 41111111111111111115") == []
    assert find_personal_data("ref 411111111117") == []


def test_every_phone_number_in_a_text_is_found_past_prices_and_identifiers():
    text = "Call 07700 900123 12345abc, or 0113 496 0000 (it cost £ 120 07700 900124) or 01 23 45 67 89."
    assert [f.text for f in find_personal_data(text)] == [
        "07700 900123", "0113 496 0000", "07700 900124", "01 23 45 67 89",
    ]


@pytest.mark.parametrize("number, valid", [
    ("4111111111111111", True), ("4111111111111112", False), ("378282246310005", True),
    ("79927398713", True), ("79927398710", False),
])
def test_luhn(number, valid):
    assert luhn_valid(number) is valid


@pytest.mark.parametrize("hostile", [
    "1" * 20000, "1 " * 10000, "1-" * 10000, "a@" * 10000, "x@" + "a." * 10000 + "1",
    "(1" * 10000, "+1 " * 7000, "order " * 4000, "#" * 20000, "4111 " * 5000,
    "£ 1 " * 5000, "1 " * 10000 + "x", "01." * 7000, "1.2.3 " * 4000,
    # No @ anywhere: an address may only start where the run of its characters starts.
    "a" * 100_000, "a." * 50_000, "a%" * 50_000, "a+" * 50_000, "a-" * 50_000, "é" * 100_000,
])
def test_hostile_input_is_quick(hostile):
    started = time.perf_counter()
    find_personal_data(hostile)
    assert time.perf_counter() - started < 2


def test_highlight_escapes_the_context_and_marks_the_finding():
    text = "<b>Call</b> 07700 900123 & ask"
    finding = find_personal_data(text)[0]
    shown = highlight(text, finding)
    assert str(shown) == "&lt;b&gt;Call&lt;/b&gt; <mark>07700 900123</mark> &amp; ask"


def test_highlight_shortens_long_context():
    text = "x" * 100 + " jo@example.com " + "y" * 100
    shown = str(highlight(text, find_personal_data(text)[0], width=10))
    assert shown == "…" + "x" * 9 + " <mark>jo@example.com</mark> " + "y" * 9 + "…"


def test_highlight_shows_40_characters_either_side_and_marks_what_is_cut():
    text = "y" * 40 + " jo@example.com " + "z" * 40
    shown = "…" + "y" * 39 + " <mark>jo@example.com</mark> " + "z" * 39 + "…"
    assert str(highlight(text, find_personal_data(text)[0])) == shown
    text = "y" * 39 + " jo@example.com " + "z" * 39
    shown = "y" * 39 + " <mark>jo@example.com</mark> " + "z" * 39
    assert str(highlight(text, find_personal_data(text)[0])) == shown


def test_highlight_escapes_a_hostile_finding():
    text = 'order #12345678 "><script>'
    finding = Finding(Kind.ORDER, 0, len(text), text)
    assert "<script>" not in str(highlight(text, finding))


# A story's fields, and publishing with findings left.


def _story(**fields):
    return Story(**({"title": "Saved the day", "body_md": "", "impact": "", "rule_in_the_way": None} | fields))


def test_story_findings_name_the_part_of_the_story_each_is_in():
    story = _story(
        title="Rang 07700 900123", body_md="Mail jo@example.com", impact="Order #12345 came",
        rule_in_the_way="Card 4111 1111 1111 1111 was kept",
        evidence_quote="Thanks! Write to me at ann@example.org",
    )
    found = story_findings(story)
    assert [(f.field, f.label, f.finding.kind, f.finding.text) for f in found] == [
        ("title", "Title", Kind.PHONE, "07700 900123"),
        ("body_md", "Story", Kind.EMAIL, "jo@example.com"),
        ("impact", "The difference it made", Kind.ORDER, "#12345"),
        ("rule_in_the_way", "A rule that got in the way", Kind.CARD, "4111 1111 1111 1111"),
        ("evidence_quote", "What the customer said", Kind.EMAIL, "ann@example.org"),
    ]
    assert str(found[0].context) == "Rang <mark>07700 900123</mark>"
    assert story_findings(_story(title="Nothing personal")) == []


ASK_ONE = ("This story still has 1 likely personal detail of customers. Redact them first, or tick the "
           "box to confirm you have read them and the story may be published as it is.")


def test_publishing_with_findings_left_asks_for_the_box():
    with pytest.raises(NeedsConfirmation) as asked:
        check_publish(_story(body_md="Ring 07700 900123"), confirmed=False)
    assert str(asked.value) == ASK_ONE
    with pytest.raises(NeedsConfirmation) as asked:
        check_publish(_story(title="Ring 07700 900123", body_md="or jo@example.com"), confirmed=False)
    assert str(asked.value) == ASK_ONE.replace("has 1 likely personal detail", "has 2 likely personal details")


def test_publishing_with_the_box_ticked_or_nothing_found_asks_nothing():
    check_publish(_story(body_md="Ring 07700 900123"), confirmed=True)
    check_publish(_story(body_md="Nothing personal"), confirmed=False)


# On submit and in the queue.


def _nomination(nominee, value, **overrides):
    return {
        "title": "Saved the wedding cake", "body_md": "She drove it over herself.",
        "impact_kind": "customer", "impact": "The wedding went ahead.",
        "happened_on": "2024-05-01", "nominees": str(nominee.id), "values": str(value.id),
        "action": "submit",
    } | overrides


def test_submitting_warns_how_many_personal_details_were_found(client, ctx, as_role, make_person):
    from storyboard.models import Value

    as_role("staff")
    value = db.session.scalars(db.select(Value)).first()
    data = _nomination(
        make_person(), value,
        body_md="Mrs Smith (smith@example.com, 07700 900123) rang about order #12345678.",
    )
    response = client.post("/nominate", data=data, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Your story is with HR for review." in text
    assert "3 likely personal details of customers (email address, phone number, order number)" in text
    assert "flash-warning" in text


def test_submitting_without_personal_data_gives_no_warning(client, ctx, as_role, make_person):
    from storyboard.models import Value

    as_role("staff")
    value = db.session.scalars(db.select(Value)).first()
    response = client.post("/nominate", data=_nomination(make_person(), value), follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Your story is with HR for review." in text
    assert "likely personal detail" not in text


def test_saving_a_draft_gives_no_warning(client, ctx, as_role, make_person):
    from storyboard.models import Value

    as_role("staff")
    value = db.session.scalars(db.select(Value)).first()
    data = _nomination(make_person(), value, body_md="Ring 07700 900123.", action="draft")
    text = client.post("/nominate", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Draft saved." in text and "likely personal detail" not in text


def test_the_queue_marks_each_finding_in_context(client, ctx, as_role, make_story):
    story = make_story(
        status=StoryStatus.SUBMITTED,
        title="Card 4111 1111 1111 1111 saved",
        body_md="<i>Mrs</i> Smith's email is smith@example.com & she was thrilled.",
        impact="Her order ORD-123456 came a day early.",
    )
    clean = make_story(status=StoryStatus.SUBMITTED, title="Nothing personal here")
    as_role("curator")
    text = client.get("/queue/").get_data(as_text=True)
    section = text[text.index(f'id="story-{story.id}"') : text.index(f'id="story-{clean.id}"')]
    assert "3 likely personal details of customers" in section
    assert "<mark>4111 1111 1111 1111</mark>" in section
    assert "&lt;i&gt;Mrs&lt;/i&gt; Smith&#39;s email is <mark>smith@example.com</mark> &amp; she" in section
    assert "<mark>ORD-123456</mark>" in section
    # three findings and one free text, each form landing on itself
    assert section.count(f'action="/queue/{story.id}/redact#redact-form-{story.id}') == 4
    assert 'name="text" value="smith@example.com"' in section
    clean_section = text[text.index(f'id="story-{clean.id}"') :]
    assert "<mark>" not in clean_section and "likely personal detail" not in clean_section
