import pytest

from infoconnect.messaging import actions
from infoconnect.social.models import Follow


@pytest.fixture
def merchant(make_user):
    """An enrolled, verified merchant."""
    user = make_user("acme", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=user)
    return user


@pytest.fixture
def followers(make_user, merchant):
    """Ten people following the merchant, in id order."""
    people = [make_user(f"fan{i:02d}", region="SH" if i % 2 else "BJ") for i in range(10)]
    Follow.objects.bulk_create([Follow(follower=p, target=merchant) for p in people])
    return people


@pytest.fixture
def campaign(merchant):
    return actions.create_campaign(
        merchant=merchant,
        title="Spring sale",
        body="Everything 20% off this week.",
        link_url="https://shop.example.com/spring",
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what the block queued on commit, as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
