"""Posting pictures from the compose box in a real Chromium: picked, previewed, one removed,
posted, shown as a grid that opens the full-size picture."""

import pytest
from playwright.sync_api import expect

from infoconnect.core.tests.images import photo_with_gps
from infoconnect.social.models import MediaAttachment, Post


def _file(name: str) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": photo_with_gps(size=(500, 300))}


def _alts(locator) -> list[str]:
    return locator.evaluate_all("images => images.map(image => image.alt)")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_post_two_pictures_from_the_compose_box(page, login, make_user):
    make_user("alice")
    # Each picture is re-encoded while its upload waits: on a busy machine that takes seconds.
    page.set_default_timeout(30_000)
    login("alice")

    page.get_by_label("Pictures (up to 9)").set_input_files(
        [_file("one.jpg"), _file("two.jpg"), _file("three.jpg")]
    )
    previews = page.get_by_role("list", name="Chosen pictures").locator("li")
    expect(previews).to_have_count(3)
    # Each picture is uploaded as soon as it is chosen; the form then carries its id.
    expect(page.locator("input[name=media_ids]")).to_have_count(3)
    expect(page.locator(".media-preview.uploading")).to_have_count(0)
    page.get_by_role("button", name="Remove picture two.jpg").click()
    expect(previews).to_have_count(2)
    assert _alts(previews.locator("img")) == ["one.jpg", "three.jpg"]
    expect(page.locator("input[name=media_ids]")).to_have_count(2)

    page.get_by_label("Who can see it").select_option("private")
    page.get_by_label("Content warning (optional)").fill("tea spoilers")
    page.get_by_label("What's happening?").fill("Two teas")
    page.get_by_role("button", name="Post", exact=True).click()

    first = page.locator("#timeline > article").first
    expect(first.locator(".post-text")).to_have_text("Two teas")
    cells = first.locator(".media-grid-2 a.media-cell")
    expect(cells).to_have_count(2)
    assert _alts(cells.locator("img")) == ["Picture 1", "Picture 2"]
    # The form is empty again, its previews gone.
    expect(previews).to_have_count(0)
    expect(page.get_by_label("What's happening?")).to_have_value("")

    post = Post.objects.get()
    assert (post.text, post.visibility, post.spoiler_text) == (
        "Two teas",
        "private",
        "tea spoilers",
    )
    pictures = list(post.media.order_by("position"))
    assert [p.width for p in pictures] == [500, 500]
    # The removed picture left the server: nothing is waiting for a post.
    assert MediaAttachment.objects.filter(post__isnull=True).count() == 0
    hrefs = cells.evaluate_all("cells => cells.map(cell => cell.getAttribute('href'))")
    assert hrefs == [p.image.url for p in pictures]
    # The grid opens the full-size picture.
    response = page.request.get(hrefs[0])
    assert response.status == 200
    assert response.headers["content-type"] == "image/jpeg"
