"""Adding photos to a story (issue 14): the picture is read by its content, cleaned of its
metadata, kept within size and pixel limits, described with alt text, at most four a story."""
from __future__ import annotations

import os
import re
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from storyboard.extensions import db
from storyboard.models import StoryPhoto, StoryStatus
from storyboard.photos import service
from tests.photos.pictures import GPS_IFD, camera_jpeg, opened, png, png_claiming, upload


def stored_files(app) -> list[str]:
    folder = Path(app.instance_path) / "photos"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def photos_of(story) -> list[StoryPhoto]:
    db.session.expire_all()
    return list(db.session.scalars(select(StoryPhoto).where(StoryPhoto.story_id == story.id)
                                   .order_by(StoryPhoto.position)))


def multipart(fields: dict) -> dict:
    """The body encoded in memory: the test client spools a large multipart body to a temporary
    file it never closes (a ResourceWarning, an error under filterwarnings = error)."""
    files = {name: FileStorage(value[0], value[1], content_type=value[2] if len(value) > 2 else "image/jpeg")
             for name, value in fields.items() if isinstance(value, tuple)}
    boundary, body = encode_multipart(MultiDict(fields | files))
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def send(client, story, data: bytes | None = None, name: str = "holiday.jpg", alt_text: str = "The mended bike",
         content_type: str | None = None):
    file = upload(data, name) + ((content_type,) if content_type else ())
    return client.post(f"/stories/{story.id}/photos", **multipart({"photo": file, "alt_text": alt_text}))


@pytest.fixture
def draft(ctx, make_person, make_story, login):
    """A draft, its writer signed in."""
    writer = make_person(name="Wanda Writer")
    story = make_story(nominator=writer, status=StoryStatus.DRAFT)
    login(writer)
    return story


def test_a_camera_photo_loses_its_gps_position_and_camera_details(app, client, draft):
    # Taken on its side (orientation 6): 1200 × 800 as stored, upright it is 800 × 1200.
    response = send(client, draft, camera_jpeg(1200, 800, orientation=6))
    assert response.status_code == 302
    [photo] = photos_of(draft)
    served = client.get(f"/stories/{draft.id}/photos/{photo.id}")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline")
    picture = opened(served.data)
    assert picture.format == "JPEG"
    assert dict(picture.getexif()) == {}
    assert picture.getexif().get_ifd(GPS_IFD) == {}
    assert b"Phonecam" not in served.data and b"Exif" not in served.data
    assert picture.size == (800, 1200)  # turned upright before the tag was dropped
    thumbnail = client.get(f"/stories/{draft.id}/photos/{photo.id}/thumbnail")
    assert thumbnail.headers["Content-Type"] == "image/jpeg"
    assert opened(thumbnail.data).size == (320, 480)
    assert b"Exif" not in thumbnail.data
    # Stored under a random name with nothing of the upload's.
    assert stored_files(app) == sorted([f"{photo.token}.jpg", f"{photo.token}-thumb.jpg"])
    assert "holiday" not in photo.token


def test_a_big_photo_is_shown_at_most_1600_pixels_wide(client, draft):
    assert send(client, draft, camera_jpeg(4000, 3000)).status_code == 302
    [photo] = photos_of(draft)
    assert opened(client.get(f"/stories/{draft.id}/photos/{photo.id}").data).size == (1600, 1200)
    assert (photo.width, photo.height, photo.thumb_width, photo.thumb_height) == (1600, 1200, 480, 360)


def test_the_type_comes_from_the_content_not_the_name(client, draft):
    # A PNG with transparency, named and sent as a JPEG, stays a PNG (JPEG has no transparency).
    assert send(client, draft, png(transparent=True), "logo.jpg", content_type="image/jpeg").status_code == 302
    # A JPEG named .png is a JPEG.
    assert send(client, draft, camera_jpeg(300, 200), "scan.png", content_type="image/png").status_code == 302
    first, second = photos_of(draft)
    served = client.get(f"/stories/{draft.id}/photos/{first.id}")
    assert served.headers["Content-Type"] == "image/png"
    picture = opened(served.data)
    assert picture.format == "PNG" and picture.mode == "RGBA"
    assert picture.getpixel((0, 0))[3] == 0 and picture.getpixel((100, 100))[3] == 255
    assert client.get(f"/stories/{draft.id}/photos/{second.id}").headers["Content-Type"] == "image/jpeg"


def test_webp_and_the_first_frame_of_a_gif_are_taken(client, draft):
    webp = BytesIO()
    Image.new("RGB", (64, 48), (0, 128, 255)).save(webp, "WEBP")
    frames = [Image.new("P", (40, 30), colour) for colour in (1, 2)]
    gif = BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:])
    assert send(client, draft, webp.getvalue(), "a.webp").status_code == 302
    assert send(client, draft, gif.getvalue(), "a.gif").status_code == 302
    assert [photo.content_type for photo in photos_of(draft)] == ["image/jpeg", "image/jpeg"]


@pytest.mark.parametrize("data, name", [
    (b"Dear HR, here is my story.\n", "story.jpg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "picture.png"),
    (b"%PDF-1.7\n", "scan.jpg"),
    (camera_jpeg(200, 100)[:300], "cut-short.jpg"),  # a JPEG cut off after its header
])
def test_a_file_that_is_not_a_readable_photo_is_refused(app, client, draft, data, name):
    response = send(client, draft, data, name, alt_text="What I typed")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert ("is not a photo Storyboard can read" in page) or ("damaged or incomplete" in page)
    assert 'value="What I typed"' in page
    assert photos_of(draft) == [] and stored_files(app) == []


@pytest.mark.parametrize("width, height", [(50_000, 50_000), (9_000, 5_000)])
def test_a_picture_with_too_many_pixels_is_refused_before_it_is_decoded(app, client, draft, width, height):
    # A few hundred bytes claiming 2.5 billion pixels (past Pillow's own guard), or 45 million
    # (within Pillow's, past Storyboard's 40 million).
    bomb = png_claiming(width, height)
    assert len(bomb) < 1000
    response = send(client, draft, bomb, "bomb.png")
    assert response.status_code == 413
    assert "more pixels than Storyboard takes (at most 40 million" in response.get_data(as_text=True)
    assert photos_of(draft) == [] and stored_files(app) == []


def test_a_file_over_10_mb_is_refused_with_a_clear_page(client, draft):
    response = send(client, draft, b"\xff\xd8" + b"x" * (11 * 1024 * 1024), "huge.jpg")
    assert response.status_code == 413
    assert "a photo can be at most 10 MB" in response.get_data(as_text=True)
    assert photos_of(draft) == []


def test_a_large_photo_goes_through_with_csrf_protection_on(csrf_app, csrf_client, make_person, make_story):
    """CSRF protection reads the form before any view: the upload's larger limit applies there."""
    from tests.helpers import csrf_token_in, sign_in_on

    with csrf_app.app_context():
        writer = make_person()
        story = make_story(nominator=writer, status=StoryStatus.DRAFT)
        sign_in_on(csrf_client, writer)
        noise = Image.frombytes("RGB", (1500, 1500), os.urandom(1500 * 1500 * 3))
        out = BytesIO()
        noise.save(out, "JPEG", quality=98)
        assert 3 * 1024 * 1024 < len(out.getvalue()) < 10 * 1024 * 1024
        token = csrf_token_in(csrf_client.get(f"/stories/{story.id}/photos").get_data(as_text=True))
        response = csrf_client.post(f"/stories/{story.id}/photos", **multipart({
            "photo": upload(out.getvalue()), "alt_text": "Static", "csrf_token": token}))
        assert response.status_code == 302
        assert len(photos_of(story)) == 1


def test_alt_text_is_required_and_the_page_says_to_choose_the_file_again(client, draft):
    response = send(client, draft, alt_text="   ")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Describe the photo for people who cannot see it" in page
    assert "choose the photo again" in page
    assert photos_of(draft) == []


def test_alt_text_over_250_characters_is_refused_and_kept_as_typed(client, draft):
    response = send(client, draft, alt_text="a" * 251)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Keep the description to 250 characters or fewer" in page
    assert 'value="' + "a" * 251 + '"' in page
    assert photos_of(draft) == []


def test_the_longest_alt_text_is_stored_whole(client, draft):
    longest = "😀" + "é" * 248 + "字"  # 250 characters, 500+ bytes: PostgreSQL counts characters
    assert send(client, draft, alt_text=longest).status_code == 302
    assert [photo.alt_text for photo in photos_of(draft)] == [longest]


def test_a_fifth_photo_is_refused(app, client, draft):
    for number in range(4):
        service.add_photo(draft, draft.nominator, camera_jpeg(60, 40), f"Photo {number}")
    db.session.commit()
    assert "the most it can have" in client.get(f"/stories/{draft.id}/photos").get_data(as_text=True)
    response = send(client, draft)
    assert response.status_code == 409
    assert "A story can have at most 4 photos. Remove one to add another." in response.get_data(as_text=True)
    assert len(photos_of(draft)) == 4 and len(stored_files(app)) == 8


def test_a_file_anywhere_else_is_still_refused(client, draft):
    response = client.post(f"/stories/{draft.id}/thanks", data={"body_md": "Hi", "photo": upload()},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "take no file uploads" in response.get_data(as_text=True)
    # and the upload's larger size limit is the upload's only.
    response = client.post(f"/stories/{draft.id}/thanks", data={"body_md": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_alt_text_can_be_changed_and_photos_reordered(client, draft):
    for number in (1, 2):
        service.add_photo(draft, draft.nominator, camera_jpeg(60, 40), f"Photo {number}")
    db.session.commit()
    first, second = photos_of(draft)
    response = client.post(f"/stories/{draft.id}/photos/{first.id}/alt-text", data={"alt_text": ""})
    assert response.status_code == 400
    assert "Describe the photo" in response.get_data(as_text=True)
    client.post(f"/stories/{draft.id}/photos/{first.id}/alt-text", data={"alt_text": "Maya at the till"})
    client.post(f"/stories/{draft.id}/photos/{second.id}/move", data={"direction": "up"})
    assert [photo.alt_text for photo in photos_of(draft)] == ["Photo 2", "Maya at the till"]


def test_the_story_page_shows_the_photos_with_their_alt_text(client, draft):
    photo = service.add_photo(draft, draft.nominator, camera_jpeg(60, 40), "Maya & the bike")
    db.session.commit()
    page = client.get(f"/stories/{draft.id}").get_data(as_text=True)
    assert f'href="/stories/{draft.id}/photos/{photo.id}"' in page
    assert re.search(rf'<img src="/stories/{draft.id}/photos/{photo.id}/thumbnail" alt="Maya &amp; the bike"', page)
    assert f'href="/stories/{draft.id}/photos">Photos (1)</a>' in page


def test_the_photos_page_is_labelled_and_its_errors_point_at_real_fields(client, draft):
    import html5lib

    for number in (1, 2):
        service.add_photo(draft, draft.nominator, camera_jpeg(60, 40), f"Photo {number}")
    db.session.commit()
    first = photos_of(draft)[0]
    response = client.post(f"/stories/{draft.id}/photos/{first.id}/alt-text", data={"alt_text": "b" * 300})
    assert response.status_code == 400
    tree = html5lib.parse(response.get_data(as_text=True), namespaceHTMLElements=False)
    ids = [node.get("id") for node in tree.iter() if node.get("id")]
    assert len(ids) == len(set(ids))
    labelled = {node.get("for") for node in tree.iter("label")}
    for field in tree.iter("input"):
        if field.get("type") not in ("hidden",):
            assert field.get("id") in labelled, field.attrib
    for node in tree.iter():
        for target in (node.get("aria-describedby") or "").split():
            assert target in ids, target
    edited = next(node for node in tree.iter("input") if node.get("id") == f"alt-{first.id}")
    assert edited.get("value") == "b" * 300 and edited.get("aria-invalid") == "true"
    assert "Keep the description to 250 characters or fewer" in response.get_data(as_text=True)
