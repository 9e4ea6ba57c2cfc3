"""The demo data `make run` shows: accounts, follows and a small microblog.

Seeding is a list of steps, each idempotent by natural keys (usernames, post text), so
running it again adds nothing. Other apps add their own demo data by defining
``infoconnect/<app>/demo.py`` with ``def seed(context: DemoContext) -> None``; those run
after the accounts and microblog, in the order of ``DEMO_APPS``, and find the seeded
accounts and posts in ``context``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.db import transaction
from django.utils import timezone

from infoconnect.accounts import actions as accounts
from infoconnect.accounts.models import MerchantProfile, User
from infoconnect.core.management import drawings
from infoconnect.social import actions as social
from infoconnect.social.models import Post

# Demo-only: every seeded account shares this password. Never seed a public server.
DEMO_PASSWORD = "infoconnect-demo"
OPERATOR_USERNAME = "operator"

# Apps whose optional ``demo.seed(context)`` runs after the core steps, in this order.
DEMO_APPS = ("accounts", "social", "shop", "wallet", "messaging", "procurement")

PERSONS = [
    # username, display name, region, bio
    ("lihua", "Li Hua", "ZJ", "Tea, long walks and good keyboards."),
    ("wangfang", "Wang Fang", "SH", "Product designer in Shanghai."),
    ("demo", "Demo User", "BJ", "Try everything with this account."),
]

MERCHANTS = [
    # username, shop name, company, licence, phone, what they sell
    (
        "greentea_shop",
        "Green Tea House",
        "Hangzhou Green Tea House Trading Co., Ltd.",
        "91330106MA2H3K4L5P",
        "13800138000",
        "Longjing, Biluochun and tea ware from Hangzhou.",
    ),
    (
        "bytegadgets",
        "Byte Gadgets",
        "Shenzhen Byte Gadgets Electronics Co., Ltd.",
        "91440300MA5F6G7H8J",
        "13900139000",
        "Keyboards, USB-C docks and other desk gadgets.",
    ),
]

FOLLOWS = [
    ("lihua", "greentea_shop"),
    ("lihua", "bytegadgets"),
    ("lihua", "wangfang"),
    ("wangfang", "greentea_shop"),
    ("wangfang", "lihua"),
    ("demo", "greentea_shop"),
    ("demo", "bytegadgets"),
    ("demo", "lihua"),
    ("greentea_shop", "lihua"),
]

# key, author, text: the key names the post for later steps and other apps' demo data.
POSTS = [
    (
        "greentea_spring",
        "greentea_shop",
        "First-flush #LongjingTea# from West Lake is in, hand-fried this week. "
        "Followers hear about our tastings first. #tea",
    ),
    (
        "bytegadgets_docks",
        "bytegadgets",
        "USB-C docks are back in stock, and the 87-key mechanical keyboard ships tomorrow. "
        "#gadgets",
    ),
    (
        "lihua_walk",
        "lihua",
        "Morning walk by the river, then a pot of Longjing from @greentea_shop. #weekend",
    ),
    (
        "wangfang_keyboards",
        "wangfang",
        "Has anyone tried the new keyboards from @bytegadgets? #gadgets",
    ),
    ("demo_hello", "demo", "Hello InfoConnect! #hello"),
]

# key, author, the post it answers, text
COMMENTS = [
    (
        "bytegadgets_answer",
        "bytegadgets",
        "wangfang_keyboards",
        "@wangfang Yes: brown switches, hot-swappable, and it ships tomorrow.",
    ),
    ("lihua_comment", "lihua", "greentea_spring", "Saving this for the weekend tasting."),
]

# key, author, the post it reposts, comment ("" for a plain repost)
REPOSTS = [
    ("wangfang_repost", "wangfang", "greentea_spring", ""),
    ("lihua_quote", "lihua", "bytegadgets_docks", "Finally, a dock that works with my laptop."),
]

LIKES = [
    ("lihua", "greentea_spring"),
    ("demo", "bytegadgets_docks"),
    ("wangfang", "lihua_walk"),
    ("greentea_shop", "lihua_walk"),
]


@dataclass
class DemoContext:
    """What the seeding steps share: the accounts and posts by key, and where to report."""

    password: str = DEMO_PASSWORD
    users: dict[str, User] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    log: Callable[[str], None] = lambda message: None


def seed_operator(context: DemoContext) -> None:
    user = User.objects.filter(username__iexact=OPERATOR_USERNAME).first()
    if user is None:
        user = User.objects.create_superuser(
            username=OPERATOR_USERNAME,
            email="operator@example.com",
            password=context.password,
            display_name="Operator",
        )
        context.log(f"created operator {user.username}")
    context.users[OPERATOR_USERNAME] = user


def seed_persons(context: DemoContext) -> None:
    for username, display_name, region, bio in PERSONS:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                email=f"{username}@example.com",
                password=context.password,
                display_name=display_name,
                region=region,
                bio=bio,
            )
            context.log(f"created person {username}")
        context.users[username] = user


def seed_merchants(context: DemoContext) -> None:
    for username, shop_name, company, licence, phone, description in MERCHANTS:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                email=f"{username}@example.com",
                password=context.password,
                display_name=shop_name,
                kind=User.Kind.MERCHANT,
                is_verified_merchant=True,
                bio=description,
            )
            context.log(f"created merchant {username}")
        if not MerchantProfile.objects.filter(user=user).exists():
            MerchantProfile.objects.create(
                user=user,
                shop_name=shop_name,
                company_name=company,
                business_license_number=licence,
                contact_phone=phone,
                description=description,
                status=MerchantProfile.Status.VERIFIED,
                reviewed_at=timezone.now(),
            )
        context.users[username] = user


def seed_follows(context: DemoContext) -> None:
    for follower, target in FOLLOWS:
        social.follow(follower=context.users[follower], target=context.users[target])


def seed_posts(context: DemoContext) -> None:
    for key, author, text in POSTS:
        user = context.users[author]
        post = Post.objects.filter(
            author=user, text=text, in_reply_to__isnull=True, repost_of__isnull=True
        ).first()
        if post is None:
            post = social.create_post(author=user, text=text)
        context.posts[key] = post


def seed_comments(context: DemoContext) -> None:
    for key, author, parent, text in COMMENTS:
        user = context.users[author]
        parent_post = context.posts[parent]
        post = Post.objects.filter(author=user, text=text, in_reply_to=parent_post).first()
        if post is None:
            post = social.create_post(author=user, text=text, in_reply_to_id=parent_post.pk)
        context.posts[key] = post


def seed_reposts(context: DemoContext) -> None:
    for key, author, original, text in REPOSTS:
        user = context.users[author]
        post = Post.objects.filter(
            author=user, repost_of=context.posts[original], text=text
        ).first()
        if post is None:
            post = social.repost(user=user, post_id=context.posts[original].pk, text=text)
        context.posts[key] = post


def seed_likes(context: DemoContext) -> None:
    for username, key in LIKES:
        social.like(user=context.users[username], post_id=context.posts[key].pk)


# username: what the avatar shows and its colour (core.management.drawings).
AVATARS = {
    OPERATOR_USERNAME: ("operator", "#7a5bc9"),
    "lihua": ("person", "#5b8cc9"),
    "wangfang": ("person", "#c96b5b"),
    "demo": ("person", "#d69a2d"),
    "greentea_shop": ("tea", "#5b8c3a"),
    "bytegadgets": ("gadgets", "#3a4a6b"),
}


def seed_avatars(context: DemoContext) -> None:
    """Every demo account has a picture; an account that has one keeps it."""
    for username, (kind, colour) in AVATARS.items():
        user = context.users.get(username)
        if user is None or user.avatar:
            continue
        accounts.update_profile(
            user=user,
            display_name=user.display_name,
            bio=user.bio,
            region=user.region,
            avatar=drawings.avatar(kind, colour, seed=username),
        )
        context.log(f"drew an avatar for {username}")


SEED_STEPS: list[Callable[[DemoContext], None]] = [
    seed_operator,
    seed_persons,
    seed_merchants,
    seed_avatars,
    seed_follows,
    seed_posts,
    seed_comments,
    seed_reposts,
    seed_likes,
]


def app_demos() -> list:
    """Each app's ``demo`` module, for the apps that have one, in ``DEMO_APPS`` order."""
    modules = []
    for app in DEMO_APPS:
        name = f"infoconnect.{app}.demo"
        try:
            modules.append(import_module(name))
        except ModuleNotFoundError as exc:
            # The app (or its demo module) does not exist: nothing to seed for it.
            if exc.name and (name == exc.name or name.startswith(f"{exc.name}.")):
                continue
            raise
    return modules


def app_seeders() -> list[Callable[[DemoContext], None]]:
    """Each app's ``demo.seed``, in ``DEMO_APPS`` order."""
    return [module.seed for module in app_demos()]


@transaction.atomic
def seed(*, log: Callable[[str], None] | None = None) -> DemoContext:
    """Seed every step; all of it or nothing."""
    context = DemoContext(log=log or (lambda message: None))
    for step in [*SEED_STEPS, *app_seeders()]:
        step(context)
    return context


def demo_logins() -> list[tuple[str, str]]:
    """(what, username) for each demo login, the operator first."""
    logins = [("Operator (admin)", OPERATOR_USERNAME)]
    logins += [("Person", username) for username, *_ in PERSONS]
    logins += [(f"Merchant, {shop}", username) for username, shop, *_ in MERCHANTS]
    # An app's demo may add its own logins: LOGINS = [(what, username), ...].
    for module in app_demos():
        logins += getattr(module, "LOGINS", [])
    return logins


def demo_is_seeded() -> bool:
    """True when the operator exists with the demo password (so printing it is honest)."""
    operator = User.objects.filter(username__iexact=OPERATOR_USERNAME).first()
    return operator is not None and operator.check_password(DEMO_PASSWORD)
