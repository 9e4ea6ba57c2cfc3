"""The accounts every visibility test reads as: a post's author, a follower of the author, an
account the post mentions, a stranger, an anonymous visitor, an account the author blocked
and an account that blocked the author; and who of them may read a post of each visibility."""

from dataclasses import dataclass

from infoconnect.accounts.models import User
from infoconnect.social import actions
from infoconnect.social.models import Post, Visibility

VIEWERS = ("author", "follower", "mentioned", "stranger", "anonymous", "blocked", "blocker")
VISIBILITIES = tuple(Visibility.values)

# Who may read a post of each visibility (everywhere a post can be read by link).
READERS = {
    Visibility.PUBLIC: {"author", "follower", "mentioned", "stranger", "anonymous"},
    Visibility.UNLISTED: {"author", "follower", "mentioned", "stranger", "anonymous"},
    Visibility.PRIVATE: {"author", "follower", "mentioned"},
    Visibility.DIRECT: {"author", "mentioned"},
}
PAIRS = [(visibility, viewer) for visibility in VISIBILITIES for viewer in VIEWERS]


def pair_id(pair) -> str:
    return f"{pair[0]}-{pair[1]}"


@dataclass
class World:
    people: dict[str, User | None]

    def __getitem__(self, kind: str) -> User | None:
        return self.people[kind]

    @property
    def author(self) -> User:
        return self.people["author"]

    def post(self, visibility: str, text: str = "Hello @mona, a post", **fields) -> Post:
        """A post of the author's in that visibility, mentioning the mentioned account."""
        post = actions.create_post(author=self.author, text=text, **fields)
        Post.objects.filter(pk=post.pk).update(visibility=visibility)
        post.refresh_from_db()
        return post


def build_world(make_user) -> World:
    author = make_user("alice", display_name="Alice Wang")
    follower = make_user("fran", display_name="Fran")
    mentioned = make_user("mona", display_name="Mona")
    stranger = make_user("sam", display_name="Sam")
    blocked = make_user("bert", display_name="Bert")
    blocker = make_user("bea", display_name="Bea")
    actions.follow(follower=follower, target=author)
    actions.block(blocker=author, target=blocked)
    actions.block(blocker=blocker, target=author)
    return World(
        {
            "author": author,
            "follower": follower,
            "mentioned": mentioned,
            "stranger": stranger,
            "anonymous": None,
            "blocked": blocked,
            "blocker": blocker,
        }
    )
