"""Polls: posted with a status (JSON or Mastodon's form), read and voted on by those who may
read the status, closed when they end with a notification to the author and the voters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.api.tests.conftest import error
from infoconnect.core import sweeps
from infoconnect.social import actions, polls
from infoconnect.social.actions import polls as poll_actions
from infoconnect.social.models import Notification, Poll, PollBallot, PollOption, Post

pytestmark = pytest.mark.django_db

TEA = {"options": ["Green tea", "Oolong", "Pu'er"], "expires_in": 3600}


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


def post_poll(client, poll=None, **status):
    return client.post(
        "/api/v1/statuses",
        {"status": "Which tea? #tea", "poll": poll or TEA, **status},
        content_type="application/json",
    )


def make_poll(author, *, multiple=False, hide_totals=False, visibility="public", options=None):
    spec = polls.clean(
        options=options or TEA["options"],
        expires_in=3600,
        multiple=multiple,
        hide_totals=hide_totals,
    )
    post = actions.create_post(author=author, text="Which tea?", poll=spec, visibility=visibility)
    return post.poll


def vote(client, poll, *choices):
    return client.post(f"/api/v1/polls/{poll.pk}/votes", {"choices[]": [str(c) for c in choices]})


def end(poll):
    Poll.objects.filter(pk=poll.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


# Posting ---------------------------------------------------------------------------------


def test_a_status_posted_with_a_poll_carries_it(alice, api_client):
    response = post_poll(api_client(alice))
    assert response.status_code == 200, response.content
    poll = response.json()["poll"]
    row = Poll.objects.get()
    assert poll == {
        "id": str(row.pk),
        "expires_at": poll["expires_at"],
        "expired": False,
        "multiple": False,
        "votes_count": 0,
        "voters_count": 0,
        "options": [
            {"title": "Green tea", "votes_count": 0},
            {"title": "Oolong", "votes_count": 0},
            {"title": "Pu'er", "votes_count": 0},
        ],
        "emojis": [],
        # The author sees the results as a voter does.
        "voted": True,
        "own_votes": [],
    }
    assert row.expires_at - row.post.created_at == timedelta(hours=1)
    assert row.state == Poll.State.OPEN


def test_mastodons_form_poll_is_taken(alice, api_client):
    response = api_client(alice).post(
        "/api/v1/statuses",
        {
            "status": "Lunch?",
            "poll[options][]": ["Noodles", "Dumplings"],
            "poll[expires_in]": "86400",
            "poll[multiple]": "true",
            "poll[hide_totals]": "false",
        },
    )
    assert response.status_code == 200, response.content
    poll = Poll.objects.get()
    assert poll.multiple is True
    assert poll.hide_totals is False
    assert list(poll.options.values_list("title", flat=True)) == ["Noodles", "Dumplings"]


@pytest.mark.parametrize(
    "poll",
    [
        {"options": ["Only one"], "expires_in": 3600},
        {"options": ["a", "b", "c", "d", "e"], "expires_in": 3600},
        {"options": ["Same", "Same"], "expires_in": 3600},
        {"options": ["a", "x" * 51], "expires_in": 3600},
        {"options": ["a", "  "], "expires_in": 3600},
        {"options": ["a", "b"], "expires_in": 60},
        {"options": ["a", "b"], "expires_in": 31 * 86400},
        {"options": ["a", "b"], "expires_in": "soon"},
        {"options": ["a", "b"]},
        {"options": "a,b", "expires_in": 3600},
        {"options": ["a", 2], "expires_in": 3600},
        {"options": ["a", "b"], "expires_in": 3600, "multiple": "maybe"},
    ],
)
def test_a_poll_outside_the_limits_is_refused_and_nothing_is_written(alice, api_client, poll):
    response = post_poll(api_client(alice), poll)
    assert response.status_code == 422, response.content
    assert error(response)["code"] == "poll_invalid"
    assert (Post.objects.count(), Poll.objects.count(), PollOption.objects.count()) == (0, 0, 0)


def test_a_poll_and_pictures_are_not_posted_together(alice, api_client):
    from infoconnect.api.tests.test_media_api import upload

    client = api_client(alice)
    media_id = upload(client).json()["id"]
    response = post_poll(client, media_ids=[media_id])
    assert response.status_code == 422
    assert error(response)["code"] == "poll_with_media"
    assert (Post.objects.count(), Poll.objects.count()) == (0, 0)


def test_a_scheduled_status_or_a_quote_cannot_carry_a_poll(alice, api_client):
    client = api_client(alice)
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    scheduled = post_poll(client, scheduled_at=later)
    assert scheduled.status_code == 422
    assert error(scheduled)["fields"] == {"poll": ["A scheduled post cannot carry poll."]}
    original = actions.create_post(author=alice, text="Tea time")
    quote = post_poll(client, quoted_status_id=str(original.pk))
    assert quote.status_code == 422
    assert list(error(quote)["fields"]) == ["poll"]
    assert Poll.objects.count() == 0


# Voting ----------------------------------------------------------------------------------


def test_a_follower_votes_once_and_sees_the_counts(alice, bob, api_client):
    poll = make_poll(alice)
    client = api_client(bob)
    before = client.get(f"/api/v1/polls/{poll.pk}").json()
    assert (before["voted"], before["own_votes"]) == (False, [])
    response = vote(client, poll, 1)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["voted"], body["own_votes"]) == (True, [1])
    assert (body["votes_count"], body["voters_count"]) == (1, 1)
    assert [o["votes_count"] for o in body["options"]] == [0, 1, 0]
    # The status shows the same poll.
    status = client.get(f"/api/v1/statuses/{poll.post_id}").json()
    assert status["poll"] == body

    again = vote(client, poll, 0)
    assert again.status_code == 422
    assert error(again)["code"] == "poll_already_voted"
    assert list(PollBallot.objects.values_list("choices", flat=True)) == [[1]]
    poll.refresh_from_db()
    assert (poll.votes_count, poll.voters_count) == (1, 1)


def test_a_multiple_choice_poll_takes_several_choices(alice, bob, api_client):
    poll = make_poll(alice, multiple=True)
    response = api_client(bob).post(
        f"/api/v1/polls/{poll.pk}/votes",
        {"choices": ["2", 0]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["own_votes"] == [0, 2]
    assert (body["votes_count"], body["voters_count"]) == (2, 1)
    assert [o["votes_count"] for o in body["options"]] == [1, 0, 1]


@pytest.mark.parametrize("choices", [[], ["0", "1"], ["3"], ["-1"], ["first"], ["1", "1"]])
def test_choices_the_poll_does_not_offer_are_refused(alice, bob, api_client, choices):
    poll = make_poll(alice)
    response = api_client(bob).post(f"/api/v1/polls/{poll.pk}/votes", {"choices[]": choices})
    assert response.status_code == 422
    assert error(response)["code"] == "poll_invalid_choices"
    assert PollBallot.objects.count() == 0
    assert PollOption.objects.filter(votes_count__gt=0).count() == 0


def test_the_author_does_not_vote_in_their_own_poll(alice, api_client):
    poll = make_poll(alice)
    response = vote(api_client(alice), poll, 0)
    assert response.status_code == 422
    assert error(response)["code"] == "poll_own"
    assert PollBallot.objects.count() == 0


def test_an_ended_poll_takes_no_vote_and_shows_it_has_ended(alice, bob, api_client):
    poll = make_poll(alice)
    end(poll)
    client = api_client(bob)
    response = vote(client, poll, 0)
    assert response.status_code == 422
    assert error(response)["code"] == "poll_expired"
    assert PollBallot.objects.count() == 0
    assert client.get(f"/api/v1/polls/{poll.pk}").json()["expired"] is True


def test_hidden_totals_show_only_once_the_poll_ends(alice, bob, make_user, api_client):
    poll = make_poll(alice, hide_totals=True)
    assert vote(api_client(make_user("carol")), poll, 0).status_code == 200
    client = api_client(bob)
    hidden = client.get(f"/api/v1/polls/{poll.pk}").json()
    assert [o["votes_count"] for o in hidden["options"]] == [None, None, None]
    assert hidden["voters_count"] is None
    # Its author sees the running count.
    own = api_client(alice).get(f"/api/v1/polls/{poll.pk}").json()
    assert [o["votes_count"] for o in own["options"]] == [1, 0, 0]
    end(poll)
    shown = client.get(f"/api/v1/polls/{poll.pk}").json()
    assert [o["votes_count"] for o in shown["options"]] == [1, 0, 0]


# Who may ---------------------------------------------------------------------------------


def test_a_poll_is_read_and_voted_on_by_those_who_may_read_its_status(
    alice, bob, make_user, api_client
):
    poll = make_poll(alice, visibility="private")
    stranger = api_client(bob)
    for response in (stranger.get(f"/api/v1/polls/{poll.pk}"), vote(stranger, poll, 0)):
        assert response.status_code == 404
        assert error(response)["code"] == "poll_not_found"
    assert api_client().get(f"/api/v1/polls/{poll.pk}").status_code == 404
    follower = make_user("carol")
    actions.follow(follower=follower, target=alice)
    assert vote(api_client(follower), poll, 0).status_code == 200
    assert PollBallot.objects.get().voter == follower


def test_anyone_reads_a_public_poll_and_only_the_signed_in_vote(alice, api_client):
    poll = make_poll(alice)
    anonymous = api_client()
    body = anonymous.get(f"/api/v1/polls/{poll.pk}").json()
    assert "voted" not in body and "own_votes" not in body
    assert vote(anonymous, poll, 0).status_code == 401
    assert anonymous.get("/api/v1/polls/999999").status_code == 404
    assert anonymous.get("/api/v1/polls/x").status_code == 404


def test_a_blocked_account_cannot_vote(alice, bob, api_client):
    poll = make_poll(alice)
    actions.block(blocker=alice, target=bob)
    response = vote(api_client(bob), poll, 0)
    assert response.status_code == 404
    assert PollBallot.objects.count() == 0


# Ending ----------------------------------------------------------------------------------


def test_an_ended_poll_is_closed_once_and_tells_its_author_and_voters(
    alice, bob, make_user, api_client
):
    poll = make_poll(alice)
    carol = make_user("carol")
    poll_actions.vote(user=bob, poll_id=poll.pk, choices=[0])
    poll_actions.vote(user=carol, poll_id=poll.pk, choices=[2])
    # Not yet due: nothing happens.
    assert poll_actions.close_due(poll_id=poll.pk) is False
    end(poll)
    assert sweeps.run()["poll.close"] == 1
    assert poll_actions.close_due(poll_id=poll.pk) is False
    poll.refresh_from_db()
    assert poll.state == Poll.State.CLOSED
    told = Notification.objects.filter(kind=Notification.Kind.POLL)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["alice", "bob", "carol"]
    notifications = api_client(bob).get("/api/v1/notifications").json()
    assert notifications[0]["type"] == "poll"
    assert notifications[0]["status"]["poll"]["expired"] is True
    assert notifications[0]["status"]["poll"]["own_votes"] == [0]


def test_the_home_timeline_shows_polls_in_three_queries_a_page(alice, bob, api_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actions.follow(follower=bob, target=alice)
    client = api_client(bob)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/timelines/home").status_code == 200
        return len(captured)

    for _ in range(3):
        actions.create_post(author=alice, text="No poll")
    plain = queries()
    for _ in range(6):
        make_poll(alice)
    statuses = client.get("/api/v1/timelines/home").json()
    assert [len(s["poll"]["options"]) for s in statuses[:6]] == [3] * 6
    assert [s["poll"] for s in statuses[6:]] == [None] * 3
    # The polls, their options and the reader's ballots: the same three for any number.
    assert queries() <= plain + 3
