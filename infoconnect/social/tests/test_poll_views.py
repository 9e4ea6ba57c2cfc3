"""Polls on the web: the compose box makes one, a post shows it, a reader votes in place."""

import pytest
from django.test import Client
from django.urls import reverse

from infoconnect.social import actions, polls
from infoconnect.social.models import Poll, PollBallot, Post

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def compose(**poll):
    return {
        "text": "Tea or coffee?",
        "visibility": "public",
        "poll_option_1": "Tea",
        "poll_option_2": "Coffee",
        "poll_option_3": "",
        "poll_option_4": "",
        "poll_expires_in": "3600",
        **poll,
    }


def make_poll(author, multiple=False):
    spec = polls.clean(options=["Tea", "Coffee", "Water"], expires_in=3600, multiple=multiple)
    return actions.create_post(author=author, text="What do you drink?", poll=spec)


def test_the_compose_box_posts_a_poll(make_user):
    alice = make_user("alice")
    client = client_for(alice)
    page = client.get(reverse("social:home")).content.decode()
    assert "Add a poll" in page and 'name="poll_option_4"' in page
    response = client.post(reverse("social:post_create"), compose(poll_multiple="on"))
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert poll.multiple is True
    assert list(poll.options.values_list("title", flat=True)) == ["Tea", "Coffee"]
    assert (poll.expires_at - poll.post.created_at).total_seconds() == 3600
    home = client.get(reverse("social:home")).content.decode()
    # Its author sees the results, not a ballot.
    assert "poll-results" in home and "0 people voted" in home


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"poll_option_2": ""}, "A poll needs 2 to 4 different options"),
        ({"poll_option_2": "Tea"}, "A poll needs 2 to 4 different options"),
        ({"poll_expires_in": "60"}, "A poll needs 2 to 4 different options"),
        ({"scheduled_at": "2099-01-01T09:00"}, "A scheduled post cannot carry a poll."),
    ],
)
def test_a_poll_that_is_not_valid_is_shown_and_nothing_is_posted(make_user, change, message):
    client = client_for(make_user("alice"))
    response = client.post(reverse("social:post_create"), compose(**change))
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    # The box keeps what was typed, with the poll open.
    assert '<details class="compose-poll" open>' in page
    assert (Post.objects.count(), Poll.objects.count()) == (0, 0)
    htmx = client.post(reverse("social:post_create"), compose(**change), headers=HTMX)
    assert htmx.status_code == 422
    assert message in htmx.content.decode()


def test_a_reader_votes_in_place_and_sees_the_results(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    post = make_poll(alice)
    client = client_for(bob)
    page = client.get(reverse("social:post", args=[post.pk])).content.decode()
    assert 'type="radio" name="choices" value="1"' in page
    response = client.post(
        reverse("social:poll_vote", args=[post.pk]), {"choices": ["1"]}, headers=HTMX
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.startswith('<div class="poll"')
    assert 'Coffee <span class="poll-mine">(your choice)</span>' in fragment
    assert '<span class="poll-percent">100%</span>' in fragment
    assert "1 person voted" in fragment
    again = client.post(
        reverse("social:poll_vote", args=[post.pk]), {"choices": ["0"]}, headers=HTMX
    )
    assert again.status_code == 422
    assert "You have already voted in this poll." in again.content.decode()
    assert PollBallot.objects.get().choices == [1]


def test_a_vote_without_the_script_comes_back_to_the_page(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    post = make_poll(alice, multiple=True)
    client = client_for(bob)
    response = client.post(
        reverse("social:poll_vote", args=[post.pk]), {"choices": ["0", "2"]}, follow=True
    )
    page = response.content.decode()
    assert "Your vote is counted." in page
    assert page.count("(your choice)") == 2


def test_who_may_not_vote(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    post = make_poll(alice)
    url = reverse("social:poll_vote", args=[post.pk])
    anonymous = Client().post(url, {"choices": ["0"]})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    # Anonymous readers see the choices and a way to log in.
    assert "Log in to vote" in Client().get(reverse("social:post", args=[post.pk])).content.decode()
    own = client_for(alice).post(url, {"choices": ["0"]})
    assert own.status_code == 422
    private = actions.create_post(
        author=alice,
        text="Friends only",
        visibility="private",
        poll=polls.clean(options=["a", "b"], expires_in=3600),
    )
    hidden = client_for(bob).post(
        reverse("social:poll_vote", args=[private.pk]), {"choices": ["0"]}
    )
    assert hidden.status_code == 404
    no_poll = actions.create_post(author=alice, text="No poll here")
    missing = client_for(bob).post(
        reverse("social:poll_vote", args=[no_poll.pk]), {"choices": ["0"]}
    )
    assert missing.status_code == 404
    assert PollBallot.objects.count() == 0
