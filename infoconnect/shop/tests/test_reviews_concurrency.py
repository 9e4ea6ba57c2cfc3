"""True concurrency on PostgreSQL: one line reviewed twice at once, two replies to one review,
and two edits each adding photos: one review, one reply, never more than 6 photos."""

import pytest
from django.db import connection

from infoconnect.procurement.tests.invariants.test_concurrency import run_together
from infoconnect.shop.actions import reviews
from infoconnect.shop.models import Review, ReviewPhoto
from infoconnect.shop.tests.test_reviews import completed_order, photo

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


@pytest.fixture
def line(buyer, merchant, scarf):
    return completed_order(buyer, merchant, scarf[1]).lines.get()


def test_a_line_reviewed_twice_at_once_has_one_review(buyer, line):
    results = run_together(
        lambda: reviews.review_line(buyer=buyer, line_id=line.pk, rating=5, photos=[photo()]),
        lambda: reviews.review_line(buyer=buyer, line_id=line.pk, rating=1, photos=[photo()]),
    )
    assert sorted(results) == ["ok", "review_exists"]
    assert Review.objects.count() == 1 and ReviewPhoto.objects.count() == 1


def test_two_replies_at_once_keep_one(buyer, merchant, line):
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=4)
    results = run_together(
        lambda: reviews.reply_to_review(merchant=merchant, review_id=review.pk, text="First"),
        lambda: reviews.reply_to_review(merchant=merchant, review_id=review.pk, text="Second"),
    )
    assert sorted(results) == ["already_replied", "ok"]
    assert Review.objects.get().reply in ("First", "Second")


def test_two_edits_adding_photos_at_once_stay_within_six(buyer, line):
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=4)
    results = run_together(
        lambda: reviews.edit_review(buyer=buyer, review_id=review.pk, add_photos=[photo()] * 4),
        lambda: reviews.edit_review(buyer=buyer, review_id=review.pk, add_photos=[photo()] * 4),
    )
    assert sorted(results) == ["ok", "too_many_photos"]
    assert list(ReviewPhoto.objects.order_by("position").values_list("position", flat=True)) == [
        0,
        1,
        2,
        3,
    ]
