"""A merchant's post may carry a product card: the compose box, POST /api/v1/statuses with
product_id, the card in the timeline and post page, and the Mastodon status `card`."""

import pytest

from infoconnect.shop.models import PostProduct
from infoconnect.shop.tests.conftest import make_product
from infoconnect.social import actions
from infoconnect.social.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


@pytest.fixture
def scarf(merchant):
    product, _sku = make_product(merchant, title="Silk scarf", price=12_900, stock=5)
    return product


def test_compose_box_posts_with_a_product_card(client, merchant, scarf, make_user):
    client.force_login(merchant)
    home = client.get("/").content.decode()
    assert f'<option value="{scarf.pk}">Silk scarf</option>' in home
    response = client.post("/posts/new/", {"text": "New in", "product": scarf.pk})
    assert response.status_code == 302
    post = Post.objects.get()
    assert PostProduct.objects.get(post=post).product_id == scarf.pk

    alice = make_user("alice")
    actions.follow(follower=alice, target=merchant)
    client.force_login(alice)
    timeline = client.get("/").content.decode()
    assert 'data-testid="product-card"' in timeline and "¥129.00" in timeline
    assert f'href="/shop/p/{scarf.pk}/"' in timeline
    assert 'name="product"' not in timeline  # a person has no product picker
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert "Silk scarf" in page and "Buy" in page


def test_compose_refuses_a_product_that_is_not_on_offer(client, merchant, scarf, make_user):
    rival = make_user("rival", kind="merchant", verified=True)
    theirs, _sku = make_product(rival, title="Other")
    client.force_login(merchant)
    response = client.post("/posts/new/", {"text": "Look", "product": theirs.pk})
    assert response.status_code == 422
    assert "A post can only carry one of your own products on sale." in response.content.decode()
    assert not Post.objects.exists() and not PostProduct.objects.exists()


def test_status_api_takes_product_id_and_returns_the_card(api_client, merchant, scarf, make_user):
    client = api_client(merchant)
    response = client.post("/api/v1/statuses", {"status": "New in", "product_id": str(scarf.pk)})
    assert response.status_code == 200, response.content
    card = response.json()["card"]
    assert card["type"] == "link"
    assert card["title"] == "Silk scarf"
    assert card["description"] == "¥129.00 · Hand-rolled edges."
    assert card["url"].endswith(f"/shop/p/{scarf.pk}/")
    status_id = response.json()["id"]
    assert api_client().get(f"/api/v1/statuses/{status_id}").json()["card"]["title"] == "Silk scarf"

    person = make_user("alice")
    for who, product_id in ((person, scarf.pk), (merchant, "abc"), (merchant, 10**30)):
        refused = api_client(who).post(
            "/api/v1/statuses", {"status": "Mine", "product_id": product_id}
        )
        assert (refused.status_code, refused.json()["code"]) == (422, "invalid_product")
    assert Post.objects.count() == 1


def test_timeline_cards_cost_the_same_queries_for_one_or_many(
    api_client, merchant, make_user, django_assert_max_num_queries
):
    alice = make_user("alice")
    actions.follow(follower=alice, target=merchant)
    products = [make_product(merchant, title=f"Item {n}")[0] for n in range(4)]
    actions.create_post(author=merchant, text="first", product_id=products[0].pk)
    client = api_client(alice)
    with django_assert_max_num_queries(13) as one:
        client.get("/api/v1/timelines/home")
    for product in products[1:]:
        actions.create_post(author=merchant, text="more", product_id=product.pk)
    with django_assert_max_num_queries(len(one.captured_queries)):
        statuses = client.get("/api/v1/timelines/home").json()
    assert sorted(s["card"]["title"] for s in statuses) == [f"Item {n}" for n in range(4)]
