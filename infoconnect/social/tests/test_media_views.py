"""The compose box with pictures, visibility and a content warning, and the picture grid a
post shows."""

import re

import pytest
from django.urls import reverse

from infoconnect.core.tests.images import photo_with_gps, upload
from infoconnect.social import actions, media
from infoconnect.social.models import MediaAttachment, Post
from infoconnect.social.tests.test_views import HTMX, client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return make_user("alice", display_name="Alice Wang")


def picture(name="tea.jpg"):
    return upload(photo_with_gps(size=(300, 200)), name)


def grid(html: str) -> list[tuple[str, str, str]]:
    """Each grid picture as (link, thumbnail, alt)."""
    return re.findall(
        r'<a class="media-cell" href="([^"]+)"[^>]*><img src="([^"]+)" alt="([^"]*)"', html
    )


def test_compose_box_offers_pictures_visibility_and_a_content_warning(alice):
    body = client_for(alice).get("/").content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert re.search(r'<input type="file" name="media"[^>]*accept="image/\*"', body)
    assert re.search(r'<input type="file"[^>]*multiple', body)
    assert 'data-upload-url="/api/v2/media"' in body
    assert "social/compose.js" in body
    options = re.findall(r'<option value="(\w+)"', body)
    assert options[:4] == ["public", "unlisted", "private", "direct"]
    assert re.search(r'<option value="public" selected>Public</option>', body)
    assert re.search(r'name="spoiler_text"[^>]*maxlength="500"', body)


def test_posting_two_pictures_with_the_form_shows_them_as_a_grid(alice):
    client = client_for(alice)
    response = client.post(
        reverse("social:post_create"),
        {"text": "Two teas", "media": [picture("one.jpg"), picture("two.jpg")]},
        headers=HTMX,
    )
    assert response.status_code == 200, response.content
    post = Post.objects.get()
    pictures = list(post.media.order_by("position"))
    assert [(p.width, p.height, p.position) for p in pictures] == [(300, 200, 0), (300, 200, 1)]
    html = response.content.decode()
    assert 'class="media-grid media-grid-2"' in html
    assert grid(html) == [
        (p.image.url, p.thumbnail.url, f"Picture {n}") for n, p in enumerate(pictures, 1)
    ]
    # The home page shows the same grid.
    assert grid(client.get("/").content.decode()) == grid(html)


def test_posting_uploaded_pictures_by_id_keeps_their_order_and_alt_text(alice):
    first = media.upload_media(owner=alice, upload=picture(), description='Green "tea"')
    second = media.upload_media(owner=alice, upload=picture())
    client = client_for(alice)
    response = client.post(
        reverse("social:post_create"),
        {"text": "", "media_ids": [second.pk, first.pk], "visibility": "private"},
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.text, post.visibility) == ("", "private")
    html = client.get(reverse("social:post", args=[post.pk])).content.decode()
    assert [alt for _link, _thumb, alt in grid(html)] == ["Picture 1", "Green &quot;tea&quot;"]


@pytest.mark.parametrize("visibility", ["public", "unlisted", "private", "direct"])
def test_web_posts_keep_their_visibility_and_content_warning(make_user, alice, visibility):
    make_user("bob")  # a direct post goes to the accounts it mentions
    response = client_for(alice).post(
        reverse("social:post_create"),
        {"text": "hello @bob", "visibility": visibility, "spoiler_text": "food"},
        headers=HTMX,
    )
    assert response.status_code == 200
    post = Post.objects.get()
    assert (post.visibility, post.spoiler_text, post.sensitive) == (visibility, "food", True)


def test_a_sensitive_posts_pictures_are_folded(alice):
    shown = media.upload_media(owner=alice, upload=picture())
    post = actions.create_post(author=alice, text="", media_ids=[shown.pk], sensitive=True)
    html = client_for(alice).get(reverse("social:post", args=[post.pk])).content.decode()
    assert '<details class="media-sensitive"><summary>Sensitive pictures: show them</summary>' in (
        html
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"visibility": "everyone"}, "Visibility must be public, unlisted, private or direct."),
        ({"spoiler_text": "w" * 501}, "A content warning can have at most 500 characters."),
        ({"media": [upload(b"not a picture", "x.jpg")]}, "Upload a JPEG, PNG, GIF or WebP image."),
        ({"media": [picture() for _ in range(10)]}, "A post can have at most 9 pictures."),
        ({"media_ids": ["12345"]}, "That picture does not exist."),
        ({"media_ids": ["junk"]}, "That picture does not exist."),
    ],
)
def test_bad_compose_input_shows_the_error_and_writes_nothing(alice, fields, message):
    response = client_for(alice).post(
        reverse("social:post_create"), {"text": "hi", **fields}, headers=HTMX
    )
    assert response.status_code in (404, 422)
    assert text_of(response) == message
    assert Post.objects.count() == 0
    assert MediaAttachment.objects.count() == 0


def test_someone_elses_picture_cannot_be_posted(alice, make_user):
    bobs = media.upload_media(owner=make_user("bob"), upload=picture())
    response = client_for(alice).post(
        reverse("social:post_create"), {"text": "mine now", "media_ids": [bobs.pk]}, headers=HTMX
    )
    assert response.status_code == 404
    assert text_of(response) == "That picture does not exist."
    assert Post.objects.count() == 0
    bobs.refresh_from_db()
    assert bobs.post_id is None


def test_web_uploads_count_against_the_media_limit(alice, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "media": "2/h"}
    client = client_for(alice)
    response = client.post(
        reverse("social:post_create"),
        {"text": "three", "media": [picture() for _ in range(3)]},
        headers=HTMX,
    )
    assert response.status_code == 429
    assert text_of(response).startswith("Too many requests; try again in ")
    assert Post.objects.count() == 0
    assert MediaAttachment.objects.count() == 0


def test_the_compose_box_and_its_errors_in_chinese(alice):
    client = client_for(alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    home = client.get("/")
    page = text_of(home)
    for words in ("图片（最多 9 张）", "谁可以看", "仅粉丝可见", "内容警告（可选）"):
        assert words in page
    assert 'aria-label="已选图片"' in home.content.decode()
    assert 'data-remove-label="移除图片"' in home.content.decode()
    response = client.post(
        reverse("social:post_create"), {"text": "hi", "visibility": "x"}, headers=HTMX
    )
    assert text_of(response) == "可见范围只能是公开、不公开列出、仅粉丝可见或仅提及的人可见。"
