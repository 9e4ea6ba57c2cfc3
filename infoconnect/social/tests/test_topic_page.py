"""A topic's page heads its posts with the topic as it is written, #name#, and its figures:
the public posts that carry it, the people who wrote them and the people who follow it."""

import pytest
from django.test import Client
from django.urls import reverse

from infoconnect.accounts.models import User
from infoconnect.social import actions, followed_tags, selectors
from infoconnect.social.models import Visibility
from infoconnect.social.tests.test_views import text_of

pytestmark = pytest.mark.django_db


def test_topic_page_shows_its_name_with_both_hashes_and_its_figures(make_user):
    alice, bob, carol, dave = (make_user(n) for n in ("alice", "bob", "carol", "dave"))
    actions.create_post(author=alice, text="#春茶# 龙井到了")
    actions.create_post(author=alice, text="#春茶# 碧螺春也到了")
    first = actions.create_post(author=bob, text="Spring #春茶# tasting")
    actions.create_post(author=carol, text="My #春茶# comment", in_reply_to_id=first.pk)
    # Neither counts: one only followers read, one by an account that has left.
    actions.create_post(author=dave, text="#春茶# for my followers", visibility=Visibility.PRIVATE)
    gone = make_user("gone")
    actions.create_post(author=gone, text="#春茶# old news")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    # A repost carries no tag of its own.
    actions.repost(user=dave, post_id=first.pk)
    followed_tags.follow_tag(user=dave, name="春茶")
    followed_tags.follow_tag(user=alice, name="#春茶#")

    response = Client().get(reverse("social:tag", args=["春茶"]))
    body = response.content.decode()
    assert "<title>#春茶# · " in body
    assert '<h1 class="topic-name">#春茶#</h1>' in body
    page = text_of(response)
    assert "#春茶# 4 Posts 3 People posting 2 Following the topic" in page


def test_an_unused_topic_shows_zeros_and_says_it_has_no_posts(make_user):
    page = text_of(Client().get(reverse("social:tag", args=["乌龙"])))
    assert "#乌龙# 0 Posts 0 People posting 0 Following the topic" in page
    assert "No posts with #乌龙# yet." in page


def test_the_summary_is_the_same_for_any_spelling_of_the_topic(make_user):
    alice = make_user("alice")
    actions.create_post(author=alice, text="Loving #GreenTea today")
    assert selectors.tag_summary(name="#GreenTea#") == selectors.TagSummary(
        posts=1, participants=1, followers=0
    )
    assert selectors.tag_summary(name="greentea") == selectors.tag_summary(name="#GreenTea#")
