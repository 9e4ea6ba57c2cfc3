"""masto.js, the library under Elk and Phanpy, against the ASGI server: it registers an app,
the person approves it in Chromium, and it logs in with PKCE, posts pictures and a poll,
reads, edits, bookmarks, makes a list and hears the user stream (clients/masto/session.mjs).
"""

import json
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from oauth2_provider.models import AccessToken as OAuthAccessToken

from conftest import TEST_PASSWORD
from infoconnect.social import actions
from infoconnect.social.models import Bookmark, List, Post

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
CLIENT = ROOT / "clients" / "masto"
NODE = shutil.which("node")
STEPS = ("logged_in", "posted", "home", "edited", "bookmarks", "list", "poll", "listening")


def _node_flags() -> list[str]:
    """Node.js before 22 has its WebSocket behind a flag; masto.js's streaming needs it."""
    major = int(subprocess.run([NODE, "--version"], capture_output=True, text=True).stdout[1:3])
    return ["--experimental-websocket"] if major < 22 else []


class Session:
    """The script as a process: its JSON lines one at a time, with a deadline each."""

    def __init__(self, base: str) -> None:
        self.process = subprocess.Popen(
            [NODE, *_node_flags(), str(CLIENT / "session.mjs"), base],
            cwd=CLIENT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            # The library's own log lines (MASTO_LOG=debug) go to the test's output.
            if line.startswith("{"):
                self.lines.put(json.loads(line))
            else:
                print(line, end="", file=sys.stderr)

    def step(self, name: str, timeout: float = 30) -> dict:
        line = self.lines.get(timeout=timeout)
        assert line["step"] == name, line
        return line

    def send(self, text: str) -> None:
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()


@pytest.mark.browser
@pytest.mark.skipif(
    NODE is None or not (CLIENT / "node_modules" / "masto").exists(),
    reason="needs Node.js and masto.js (make clients)",
)
def test_masto_js_logs_in_with_pkce_posts_reads_edits_and_streams(server, page, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    actions.follow(follower=alice, target=bob)
    session = Session(f"http://{server}")
    try:
        authorize = session.step("authorize")["url"]
        assert "code_challenge_method=S256" in authorize
        page.goto(authorize)
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Authorize masto.js test?").wait_for()
        page.get_by_role("button", name="Authorize").click()
        session.send(page.get_by_test_id("oauth-code").inner_text())

        # The test database is SQLite's shared memory on one run of CI: nothing here reads it
        # while the script writes through the server, only once the script is done.
        steps = {name: session.step(name) for name in STEPS}
        actions.create_post(author=bob, text="Fresh oolong for masto.js")
        heard = session.step("heard")
        assert session.process.wait(10) == 0
    finally:
        if session.process.poll() is None:
            session.process.kill()

    assert steps["logged_in"] == {
        "step": "logged_in",
        "username": "alice",
        "scope": "read write follow",
    }
    assert OAuthAccessToken.objects.get().application.name == "masto.js test"
    posted = steps["posted"]
    assert (posted["visibility"], posted["spoiler"], posted["media"]) == (
        "private",
        "tea",
        ["green", "black"],
    )
    post = Post.objects.get(pk=posted["id"])
    assert (post.visibility, post.media.count()) == ("private", 2)
    assert steps["home"]["ids"] == [posted["id"]]
    assert steps["edited"] == {
        "step": "edited",
        "content": "<p>Two cups of tea from masto.js</p>",
        "media": 2,
    }
    assert steps["bookmarks"]["ids"] == [posted["id"]]
    assert Bookmark.objects.filter(user=alice, post=post).exists()
    assert List.objects.get(owner=alice).title == steps["list"]["title"] == "Tea people"
    assert steps["poll"]["options"] == ["Green", "Oolong"]
    assert heard == {
        "step": "heard",
        "content": "<p>Fresh oolong for masto.js</p>",
        "account": "bob",
    }
