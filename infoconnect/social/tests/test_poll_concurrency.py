"""True concurrency on PostgreSQL: one account's votes sent at once count once, many accounts'
votes at once all count, and a poll closed by the task and the sweep at once tells once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from infoconnect.core.testing import run_together
from infoconnect.social import actions, polls
from infoconnect.social.actions import polls as poll_actions
from infoconnect.social.models import Notification, Poll, PollBallot, PollOption

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


def make_poll(author) -> Poll:
    spec = polls.clean(options=["Tea", "Coffee"], expires_in=3600)
    return actions.create_post(author=author, text="Tea or coffee?", poll=spec).poll


def test_one_accounts_votes_at_once_count_once(make_user):
    poll = make_poll(make_user("alice"))
    bob = make_user("bob")

    def vote(choice):
        return lambda: poll_actions.vote(user=bob, poll_id=poll.pk, choices=[choice])

    results = run_together(vote(0), vote(1), vote(0))
    assert sorted(results) == ["ok", "poll_already_voted", "poll_already_voted"]
    poll.refresh_from_db()
    assert (poll.votes_count, poll.voters_count) == (1, 1)
    assert sum(PollOption.objects.values_list("votes_count", flat=True)) == 1


def test_many_accounts_votes_at_once_all_count(make_user):
    poll = make_poll(make_user("alice"))
    voters = [make_user(f"voter{n}") for n in range(6)]

    def vote(user, choice):
        return lambda: poll_actions.vote(user=user, poll_id=poll.pk, choices=[choice])

    assert run_together(*(vote(u, n % 2) for n, u in enumerate(voters))) == ["ok"] * 6
    poll.refresh_from_db()
    assert (poll.votes_count, poll.voters_count) == (6, 6)
    assert list(PollOption.objects.order_by("position").values_list("votes_count", flat=True)) == [
        3,
        3,
    ]
    assert PollBallot.objects.count() == 6


def test_closing_twice_at_once_tells_once(make_user):
    alice = make_user("alice")
    poll = make_poll(alice)
    poll_actions.vote(user=make_user("bob"), poll_id=poll.pk, choices=[0])
    later = poll.expires_at + timedelta(seconds=1)
    assert later > timezone.now()

    def close():
        poll_actions.close_due(poll_id=poll.pk, now=later)

    assert run_together(close, close, close) == ["ok"] * 3
    assert Notification.objects.filter(kind=Notification.Kind.POLL).count() == 2
