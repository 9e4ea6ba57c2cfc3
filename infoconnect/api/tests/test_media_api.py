"""Pictures on statuses: /api/v2/media and /api/v1/media, and POST /api/v1/statuses with
media_ids[], visibility, a content warning and a language; what is not supported is a 422."""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from infoconnect.api.tests.conftest import BASE, error
from infoconnect.core import images, sweeps
from infoconnect.core.errors import DomainError
from infoconnect.core.tests.images import assert_clean, photo_with_gps, png_with_text
from infoconnect.social import actions
from infoconnect.social.models import MediaAttachment, Post

pytestmark = pytest.mark.django_db


def picture(name="photo.jpg", size=(640, 480), fmt="JPEG") -> SimpleUploadedFile:
    if fmt == "JPEG":
        data = photo_with_gps(size=size)
    else:
        out = io.BytesIO()
        Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
        data = out.getvalue()
    return SimpleUploadedFile(name, data, content_type=f"image/{fmt.lower()}")


def upload(client, path="/api/v2/media", **fields):
    fields.setdefault("file", picture())
    return client.post(path, fields)


# Uploading -------------------------------------------------------------------------------


def test_upload_returns_the_media_attachment_entity(make_user, api_client):
    alice = make_user("alice")
    response = upload(api_client(alice), description="A cup of tea", focus="0.5,-0.25")

    assert response.status_code == 200, response.content
    body = response.json()
    media = MediaAttachment.objects.get()
    assert media.owner_id == alice.pk and media.post_id is None
    assert body == {
        "id": str(media.pk),
        "type": "image",
        "url": f"{BASE}{media.image.url}",
        "preview_url": f"{BASE}{media.thumbnail.url}",
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {
            "original": {"width": 640, "height": 480, "size": "640x480", "aspect": 640 / 480},
            "small": {"width": 400, "height": 300, "size": "400x300", "aspect": 400 / 300},
            "focus": {"x": 0.5, "y": -0.25},
        },
        "description": "A cup of tea",
        "blurhash": media.blurhash,
    }
    assert len(media.blurhash) == 2 + 4 + 2 * (4 * 3 - 1)
    # Stored without the upload's EXIF (GPS, camera) under a name of its own.
    with media.image.open("rb") as stored:
        assert_clean(stored.read())
    assert "photo" not in media.image.name
    with Image.open(media.thumbnail.path) as thumb:
        assert thumb.size == (400, 300)


def test_v1_upload_and_get_and_png_keeps_a_webp_thumbnail(make_user, api_client):
    client = api_client(make_user("alice"))
    png = SimpleUploadedFile("drawing.png", png_with_text(), content_type="image/png")
    body = client.post("/api/v1/media", {"file": png}).json()
    assert body["meta"]["original"]["size"] == "300x200"
    assert body["description"] is None
    assert body["meta"]["focus"] == {"x": 0.0, "y": 0.0}
    assert body["preview_url"].endswith(".webp")
    assert client.get(f"/api/v1/media/{body['id']}").json() == body


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        (
            {"file": SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg")},
            422,
            "invalid_image",
        ),
        ({"file": None}, 422, "media_missing"),
        ({"description": "x" * 1501}, 422, "media_description_too_long"),
        ({"focus": "2,0"}, 422, "invalid_focus"),
        ({"focus": "left"}, 422, "invalid_focus"),
        ({"focus": "nan,0"}, 422, "invalid_focus"),
        (
            {"thumbnail": SimpleUploadedFile("t.jpg", b"x", "image/jpeg")},
            422,
            "unsupported_parameter",
        ),
    ],
)
def test_bad_uploads_store_nothing(make_user, api_client, fields, status, code):
    client = api_client(make_user("alice"))
    if fields.get("file", "") is None:
        response = client.post("/api/v2/media", {"description": "no file"})
    else:
        response = upload(client, **fields)
    assert response.status_code == status, response.content
    assert error(response)["code"] == code
    assert MediaAttachment.objects.count() == 0


def test_unsupported_upload_parameter_is_named(make_user, api_client):
    response = upload(api_client(make_user("alice")), thumbnail=picture())
    assert error(response) == {
        "error": "InfoConnect does not support the parameter thumbnail.",
        "code": "unsupported_parameter",
        "fields": {"thumbnail": ["InfoConnect does not support this parameter."]},
    }


def test_too_large_and_too_many_pixels(make_user, api_client, monkeypatch):
    client = api_client(make_user("alice"))
    wide = upload(client, file=picture("wide.png", size=(8001, 10), fmt="PNG"))
    assert wide.status_code == 422
    assert error(wide) == {
        "error": "The image must be at most 8000 × 8000 pixels.",
        "code": "image_too_many_pixels",
        "fields": {"file": ["The image must be at most 8000 × 8000 pixels."]},
    }
    monkeypatch.setitem(
        images.KINDS, "media", images.ImageKind("media", max_bytes=images.MB, max_side=8000)
    )
    big = upload(client, file=SimpleUploadedFile("big.jpg", b"\xff" * (images.MB + 1)))
    assert big.status_code == 413
    assert error(big)["code"] == "image_too_large"
    assert error(big)["error"] == "The image must be at most 1 MB."
    assert MediaAttachment.objects.count() == 0


def test_uploads_are_rate_limited_per_hour(make_user, api_client, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "media": "2/h"}
    client = api_client(make_user("alice"))
    assert [upload(client).status_code for _ in range(2)] == [200, 200]
    refused = upload(client)
    assert refused.status_code == 429
    assert error(refused)["code"] == "rate_limited"
    # django-ratelimit's hour is a fixed window: what is left of it is anything up to an hour.
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert MediaAttachment.objects.count() == 2
    assert upload(api_client(make_user("bob"))).status_code == 200


def test_pending_pictures_are_limited(make_user, api_client, monkeypatch):
    monkeypatch.setattr("infoconnect.social.media.MAX_PENDING", 2)
    client = api_client(make_user("alice"))
    assert [upload(client).status_code for _ in range(2)] == [200, 200]
    refused = upload(client)
    assert refused.status_code == 429
    assert error(refused)["code"] == "too_many_pending_media"
    assert MediaAttachment.objects.count() == 2


def test_media_needs_a_token(api_client):
    response = upload(api_client())
    assert response.status_code == 401
    assert MediaAttachment.objects.count() == 0


# Updating --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["form", "json", "multipart"])
def test_owner_updates_description_and_focus(make_user, api_client, encoding):
    client = api_client(make_user("alice"))
    media_id = upload(client).json()["id"]
    fields = {"description": "Oolong, second steep", "focus": "-1,1"}
    if encoding == "json":
        response = client.put(
            f"/api/v1/media/{media_id}", json.dumps(fields), content_type="application/json"
        )
    elif encoding == "form":
        response = client.put(
            f"/api/v1/media/{media_id}",
            "description=Oolong%2C+second+steep&focus=-1%2C1",
            content_type="application/x-www-form-urlencoded",
        )
    else:
        boundary = "BoUnDaRy"
        body = "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in fields.items()
        )
        response = client.put(
            f"/api/v1/media/{media_id}",
            f"{body}--{boundary}--\r\n",
            content_type=f"multipart/form-data; boundary={boundary}",
        )
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "Oolong, second steep"
    assert response.json()["meta"]["focus"] == {"x": -1.0, "y": 1.0}
    media = MediaAttachment.objects.get()
    assert (media.description, media.focus_x, media.focus_y) == ("Oolong, second steep", -1, 1)


def test_only_the_owner_updates_and_only_before_posting(make_user, api_client):
    alice, bob = make_user("alice"), make_user("bob")
    client = api_client(alice)
    media_id = upload(client, description="mine").json()["id"]

    thief = api_client(bob)
    url = f"/api/v1/media/{media_id}"
    for response in (
        thief.get(url),
        thief.put(url, "description=stolen", "application/x-www-form-urlencoded"),
        thief.delete(url),
    ):
        assert response.status_code == 404
        assert error(response)["code"] == "media_not_found"
    assert client.get("/api/v1/media/abc").status_code == 404

    bad = client.put(
        f"/api/v1/media/{media_id}",
        json.dumps({"description": "x", "thumbnail": "t"}),
        content_type="application/json",
    )
    assert error(bad)["code"] == "unsupported_parameter"

    client.post("/api/v1/statuses", {"status": "posted", "media_ids[]": [media_id]})
    late = client.put(
        f"/api/v1/media/{media_id}", json.dumps({"description": "late"}), "application/json"
    )
    assert late.status_code == 422
    assert error(late)["code"] == "media_already_attached"
    assert client.delete(f"/api/v1/media/{media_id}").status_code == 422
    assert MediaAttachment.objects.get().description == "mine"


def test_delete_an_unposted_picture(make_user, api_client, django_capture_on_commit_callbacks):
    client = api_client(make_user("alice"))
    media_id = upload(client).json()["id"]
    media = MediaAttachment.objects.get()
    paths = [Path(media.image.path), Path(media.thumbnail.path)]
    assert all(path.exists() for path in paths)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/api/v1/media/{media_id}")
    assert response.status_code == 200
    assert response.json() == {}
    assert MediaAttachment.objects.count() == 0
    assert not any(path.exists() for path in paths)


# Posting with pictures ------------------------------------------------------------------


def test_status_with_pictures_as_a_form_keeps_their_order(make_user, api_client):
    alice = make_user("alice")
    client = api_client(alice)
    ids = [upload(client, description=f"picture {n}").json()["id"] for n in range(3)]
    ordered = [ids[2], ids[0], ids[1]]

    response = client.post("/api/v1/statuses", {"status": "", "media_ids[]": ordered})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["content"] == ""
    assert [m["id"] for m in body["media_attachments"]] == ordered
    assert [m["description"] for m in body["media_attachments"]] == [
        "picture 2",
        "picture 0",
        "picture 1",
    ]
    post = Post.objects.get()
    assert list(post.media.order_by("position").values_list("pk", "position")) == [
        (int(pk), n) for n, pk in enumerate(ordered)
    ]
    # Timelines show them too.
    home = client.get("/api/v1/timelines/home").json()
    assert [m["id"] for m in home[0]["media_attachments"]] == ordered


def test_status_with_pictures_as_json(make_user, api_client):
    client = api_client(make_user("alice"))
    first, second = (int(upload(client).json()["id"]) for _ in range(2))
    response = client.post(
        "/api/v1/statuses",
        {"status": "two", "media_ids": [str(first), second]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert [m["id"] for m in response.json()["media_attachments"]] == [str(first), str(second)]


def _ids(client, count):
    return [upload(client, file=picture(size=(20, 20))).json()["id"] for _ in range(count)]


def test_nine_pictures_and_not_ten(make_user, api_client):
    client = api_client(make_user("alice"))
    ids = _ids(client, 10)
    refused = client.post("/api/v1/statuses", {"status": "ten", "media_ids[]": ids})
    assert refused.status_code == 422
    assert error(refused) == {
        "error": "A post can have at most 9 pictures.",
        "code": "too_many_media",
    }
    assert Post.objects.count() == 0
    assert MediaAttachment.objects.filter(post__isnull=False).count() == 0

    nine = client.post("/api/v1/statuses", {"status": "nine", "media_ids[]": ids[:9]})
    assert nine.status_code == 200
    assert len(nine.json()["media_attachments"]) == 9


@pytest.mark.parametrize("case", ["someone_elses", "already_attached", "unknown", "junk", "twice"])
def test_pictures_a_status_may_not_take_write_nothing(make_user, api_client, case):
    alice, bob = make_user("alice"), make_user("bob")
    client, bob_client = api_client(alice), api_client(bob)
    mine = upload(client).json()["id"]
    other = {
        "someone_elses": upload(bob_client).json()["id"],
        "unknown": "999999",
        "junk": "abc",
        "twice": mine,
    }.get(case)
    if case == "already_attached":
        other = upload(client).json()["id"]
        taken = client.post("/api/v1/statuses", {"status": "x", "media_ids[]": [other]})
        assert taken.status_code == 200
    posts_before = Post.objects.count()

    response = client.post("/api/v1/statuses", {"status": "mine", "media_ids[]": [mine, other]})

    expected = {
        "someone_elses": (404, "media_not_found"),
        "unknown": (404, "media_not_found"),
        "junk": (404, "media_not_found"),
        "already_attached": (422, "media_already_attached"),
        "twice": (422, "duplicate_media"),
    }[case]
    assert (response.status_code, error(response)["code"]) == expected
    assert Post.objects.count() == posts_before
    assert MediaAttachment.objects.get(pk=mine).post_id is None
    assert alice.__class__.objects.get(pk=alice.pk).posts_count == posts_before


def test_a_quote_carries_pictures_and_options(make_user, api_client, make_post):
    alice = make_user("alice")
    original = make_post(make_user("bob"), "original")
    client = api_client(alice)
    media_id = upload(client).json()["id"]
    response = client.post(
        "/api/v1/statuses",
        {
            "status": "look",
            "quoted_status_id": str(original.pk),
            "media_ids[]": [media_id],
            "spoiler_text": "tea talk",
            "language": "EN",
        },
    )
    assert response.status_code == 200, response.content
    quote = Post.objects.get(author=alice)
    assert (quote.repost_of_id, quote.spoiler_text, quote.sensitive, quote.language) == (
        original.pk,
        "tea talk",
        True,
        "en",
    )
    assert [m["id"] for m in response.json()["media_attachments"]] == [media_id]


def test_a_plain_repost_cannot_carry_pictures(make_user, make_post):
    alice = make_user("alice")
    original = make_post(make_user("bob"), "original")
    with pytest.raises(DomainError) as refused:
        actions.repost(user=alice, post_id=original.pk, visibility="private")
    assert refused.value.code == "post_empty"
    assert Post.objects.filter(author=alice).count() == 0


# Visibility, content warnings, languages --------------------------------------------------


@pytest.mark.parametrize("visibility", ["public", "unlisted", "private", "direct"])
def test_visibility_is_stored_as_sent(make_user, api_client, visibility):
    make_user("bob")  # a direct post goes to the accounts it mentions
    response = api_client(make_user("alice")).post(
        "/api/v1/statuses", {"status": "who sees this, @bob", "visibility": visibility}
    )
    assert response.status_code == 200, response.content
    assert Post.objects.get().visibility == visibility


def test_content_warning_sensitive_and_language_are_stored(make_user, api_client):
    client = api_client(make_user("alice"))
    response = client.post(
        "/api/v1/statuses",
        {
            "status": "spoilers",
            "spoiler_text": "  film ending ",
            "language": "zh",
            "sensitive": "0",
        },
    )
    assert response.status_code == 200, response.content
    post = Post.objects.get()
    assert (post.spoiler_text, post.sensitive, post.language) == ("film ending", True, "zh")
    plain = client.post(
        "/api/v1/statuses",
        {"status": "photo", "sensitive": True, "language": ""},
        content_type="application/json",
    )
    assert plain.status_code == 200
    post = Post.objects.get(pk=plain.json()["id"])
    assert (post.spoiler_text, post.sensitive, post.language) == ("", True, "")


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"visibility": "friends"}, "invalid_visibility"),
        ({"visibility": "PUBLIC"}, "invalid_visibility"),
        ({"language": "english"}, "invalid_language"),
        ({"language": "xx"}, "invalid_language"),
        ({"language": "zh-CN"}, "invalid_language"),
        ({"spoiler_text": "w" * 501}, "spoiler_too_long"),
        ({"sensitive": "maybe"}, "validation_error"),
        ({"media_ids": "5"}, "validation_error"),
    ],
)
def test_bad_options_write_nothing(make_user, api_client, payload, code):
    response = api_client(make_user("alice")).post(
        "/api/v1/statuses", {"status": "hi", **payload}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert error(response)["code"] == code
    assert Post.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        (
            {"poll": {"options": ["a", "b"], "expires_in": 3600, "anonymous": True}},
            ["poll[anonymous]"],
        ),
        ({"quote_id": "1"}, ["quote_id"]),
        ({"content_type": "text/markdown"}, ["content_type"]),
        ({"colour": "red", "quote_id": "1"}, ["colour", "quote_id"]),
    ],
)
def test_unsupported_parameters_are_refused_by_name(make_user, api_client, payload, named):
    response = api_client(make_user("alice")).post(
        "/api/v1/statuses", {"status": "hi", **payload}, content_type="application/json"
    )
    assert response.status_code == 422
    body = error(response)
    assert body["code"] == "unsupported_parameter"
    assert body["error"].endswith(", ".join(named) + ".")
    assert sorted(body["fields"]) == named
    assert Post.objects.count() == 0


def test_unknown_form_poll_parameters_are_refused_and_empty_ones_are_not(make_user, api_client):
    client = api_client(make_user("alice"))
    poll = client.post(
        "/api/v1/statuses",
        {
            "status": "vote",
            "poll[options][]": ["tea", "coffee"],
            "poll[expires_in]": "600",
            "poll[anonymous]": "true",
        },
    )
    assert poll.status_code == 422
    assert error(poll)["error"] == "InfoConnect does not support the parameter poll[anonymous]."
    assert Post.objects.count() == 0
    # Sent empty, an option asks for nothing; text/plain is what InfoConnect posts anyway.
    fine = client.post(
        "/api/v1/statuses",
        {"status": "plain", "scheduled_at": "", "poll": None, "content_type": "text/plain"},
        content_type="application/json",
    )
    assert fine.status_code == 200, fine.content


def test_idempotency_key_covers_pictures(make_user, api_client):
    client = api_client(make_user("alice"))
    media_id = upload(client).json()["id"]
    headers = {"Idempotency-Key": "pictures-once"}
    payload = {"status": "once", "media_ids[]": [media_id]}
    first = client.post("/api/v1/statuses", payload, headers=headers)
    again = client.post("/api/v1/statuses", payload, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Post.objects.count() == 1
    other = client.post("/api/v1/statuses", {"status": "once"}, headers=headers)
    assert error(other)["code"] == "idempotency_key_reused"


def test_instance_announces_media_limits(api_client):
    for path in ("/api/v1/instance", "/api/v2/instance"):
        configuration = api_client().get(path).json()["configuration"]
        assert configuration["statuses"]["max_media_attachments"] == 9
        assert configuration["media_attachments"] == {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
            "image_size_limit": 10 * 1024 * 1024,
            "image_matrix_limit": 12_000_000,
            "description_limit": 1500,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        }


def test_a_timeline_with_pictures_costs_one_query_more(
    make_user, api_client, django_assert_max_num_queries
):
    alice = make_user("alice")
    client = api_client(alice)
    for n in range(5):
        ids = [upload(client, file=picture(size=(20, 20))).json()["id"] for _ in range(2)]
        client.post("/api/v1/statuses", {"status": f"post {n}", "media_ids[]": ids})
    # Token, timeline, mentions, tags, reply authors, likes, reposts, last-post times,
    # product cards, pictures.
    with django_assert_max_num_queries(10):
        timeline = client.get("/api/v1/timelines/home").json()
    assert [len(s["media_attachments"]) for s in timeline] == [2] * 5


def test_refusals_in_chinese(make_user, api_client):
    client = api_client(make_user("alice"))
    response = client.post(
        "/api/v1/statuses",
        {"status": "hi", "quote_id": "1"},
        headers={"Accept-Language": "zh-hans"},
    )
    assert error(response)["error"] == "信息通不支持参数 quote_id。"
    ten = client.post(
        "/api/v1/statuses",
        {"status": "hi", "media_ids[]": [str(n) for n in range(1, 11)]},
        headers={"Accept-Language": "zh-hans"},
    )
    assert error(ten)["error"] == "一条微博最多 9 张图片。"


def test_the_sweep_removes_pictures_no_post_took_within_a_day(
    make_user, api_client, django_capture_on_commit_callbacks
):
    client = api_client(make_user("alice"))
    stale, posted, fresh = (int(upload(client).json()["id"]) for _ in range(3))
    client.post("/api/v1/statuses", {"status": "kept", "media_ids[]": [posted]})
    day_ago = timezone.now() - timedelta(days=1, minutes=1)
    MediaAttachment.objects.filter(pk__in=[stale, posted]).update(created_at=day_ago)
    stale_file = Path(MediaAttachment.objects.get(pk=stale).image.path)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.run(app_label="social")["media.stale"] == 1
    assert sorted(MediaAttachment.objects.values_list("pk", flat=True)) == [posted, fresh]
    assert not stale_file.exists()
    assert sweeps.run(app_label="social")["media.stale"] == 0


def test_deleting_a_status_removes_its_pictures(
    make_user, api_client, django_capture_on_commit_callbacks
):
    client = api_client(make_user("alice"))
    ids = [upload(client).json()["id"] for _ in range(2)]
    status = client.post("/api/v1/statuses", {"status": "gone", "media_ids[]": ids}).json()
    files = [Path(m.image.path) for m in MediaAttachment.objects.all()]
    files += [Path(m.thumbnail.path) for m in MediaAttachment.objects.all()]
    assert all(path.exists() for path in files)

    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.delete(f"/api/v1/statuses/{status['id']}")

    assert deleted.status_code == 200
    assert [m["id"] for m in deleted.json()["media_attachments"]] == ids
    assert MediaAttachment.objects.count() == 0
    assert not any(path.exists() for path in files)
