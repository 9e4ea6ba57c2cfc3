"""seed_demo (idempotent, counters right, other apps' demo data called in order) and serve
(stops both children on a signal, starts again a child that dies)."""

import os
import signal
import socket
import sys
import types
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from infoconnect.accounts.models import MerchantProfile, User
from infoconnect.core.management import demo
from infoconnect.core.management.commands import serve
from infoconnect.social.models import Follow, Like, Notification, Post


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_twice_adds_nothing():
    _seed()
    first = _row_counts()
    output = _seed()
    assert _row_counts() == first
    # The people, the shops and the operator, the demo company's four members, and the
    # company's account, which sent its approver the requisition waiting in their inbox.
    assert first["accounts.User"] == 11
    assert first["social.Follow"] == len(demo.FOLLOWS)
    assert first["social.Post"] == 9
    assert first["social.Like"] == 4
    assert "operator / infoconnect-demo" in output
    assert "Merchant, Green Tea House    greentea_shop / infoconnect-demo" in output


@pytest.mark.django_db
def test_seed_demo_accounts():
    _seed()
    operator = User.objects.get(username="operator")
    assert operator.is_superuser and operator.is_staff
    assert operator.check_password("infoconnect-demo")
    lihua = User.objects.get(username="lihua")
    assert (lihua.kind, lihua.display_name, lihua.is_verified_merchant) == (
        "person",
        "Li Hua",
        False,
    )
    assert lihua.check_password("infoconnect-demo")
    shops = MerchantProfile.objects.select_related("user").order_by("shop_name")
    assert [(p.shop_name, p.status, p.user.kind, p.user.is_verified_merchant) for p in shops] == [
        ("Byte Gadgets", "verified", "merchant", True),
        ("Green Tea House", "verified", "merchant", True),
    ]


@pytest.mark.django_db
def test_seed_demo_goes_through_the_social_actions():
    _seed()
    greentea = User.objects.get(username="greentea_shop")
    lihua = User.objects.get(username="lihua")
    assert greentea.followers_count == 3
    assert lihua.following_count == 3
    assert lihua.posts_count == 2  # a post and a repost with a comment; comments do not count
    spring = Post.objects.get(author=greentea, in_reply_to__isnull=True, repost_of__isnull=True)
    assert sorted(spring.tags.values_list("name", flat=True)) == ["longjingtea", "tea"]
    assert (spring.replies_count, spring.reposts_count, spring.likes_count) == (1, 1, 1)
    assert Post.objects.filter(repost_of=spring, text="", author__username="wangfang").exists()
    walk = Post.objects.get(author=lihua, text__startswith="Morning walk")
    assert list(walk.mentions.values_list("user__username", flat=True)) == ["greentea_shop"]
    assert Like.objects.filter(post=walk).count() == walk.likes_count == 2
    kinds = Notification.objects.filter(recipient=greentea).values_list("kind", flat=True)
    assert sorted(kinds) == [
        "comment",
        "follow",
        "follow",
        "follow",
        "like",
        "mention",
        # The demo's paid orders from Green Tea House, which its merchant hears of.
        "order_paid",
        "order_paid",
        "repost",
    ]
    assert Follow.objects.filter(follower=lihua, target=greentea).exists()


@pytest.mark.django_db
def test_other_apps_demo_data_runs_after_the_core_steps_in_order(monkeypatch):
    calls = []
    for app in ("fake_shop", "fake_messaging"):
        module = types.ModuleType(f"infoconnect.{app}.demo")
        module.seed = lambda context, app=app: calls.append(
            (app, context.users["greentea_shop"].username, context.posts["greentea_spring"].pk)
        )
        monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(demo, "DEMO_APPS", ("fake_shop", "no_such_app", "fake_messaging"))
    _seed()
    spring_id = Post.objects.get(text__startswith="First-flush").pk
    assert calls == [
        ("fake_shop", "greentea_shop", spring_id),
        ("fake_messaging", "greentea_shop", spring_id),
    ]


@pytest.mark.django_db
def test_a_failing_app_seed_leaves_nothing_half_written(monkeypatch):
    module = types.ModuleType("infoconnect.broken.demo")

    def seed(context):
        raise RuntimeError("broken demo data")

    module.seed = seed
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(demo, "DEMO_APPS", ("broken",))
    with pytest.raises(RuntimeError):
        _seed()
    assert User.objects.count() == 0
    assert Post.objects.count() == 0


# serve ---------------------------------------------------------------------------------


def _child(pid_file, body: str) -> list[str]:
    prelude = f"import os, signal, sys, time; open({str(pid_file)!r}, 'w').write(str(os.getpid()));"
    return [sys.executable, "-c", prelude + body]


def _gone(pid_file) -> bool:
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _serve(monkeypatch, children: dict[str, list[str]]) -> str:
    monkeypatch.setattr(serve.Command, "child_commands", lambda self, options: children)
    out = StringIO()
    # A port nothing listens on: the banner waits for the server, which never comes.
    call_command("serve", "--port", "1", "--stop-timeout", "5", stdout=out)
    return out.getvalue()


def test_serve_stops_both_children_on_sigterm(monkeypatch, tmp_path):
    web, worker = tmp_path / "web", tmp_path / "worker"
    previous = signal.getsignal(signal.SIGTERM)
    output = _serve(
        monkeypatch,
        {
            # The "web server" sends serve its SIGTERM, as a process manager would.
            "web server": _child(
                web, "time.sleep(0.5); os.kill(os.getppid(), signal.SIGTERM); time.sleep(30)"
            ),
            "task worker": _child(worker, "time.sleep(30)"),
        },
    )
    assert output.endswith("Stopped.\n")
    assert _gone(web) and _gone(worker)
    assert signal.getsignal(signal.SIGTERM) == previous


def _runs(count_file, body_from_third_run: str, *, exit_status: int) -> str:
    """A child body that exits with ``exit_status`` on its first two runs, then does the rest."""
    return (
        f"runs = open({str(count_file)!r}, 'a+'); runs.write('x'); runs.close();"
        f" time.sleep(0.3); n = len(open({str(count_file)!r}).read());"
        f" n < 3 and sys.exit({exit_status}); {body_from_third_run}"
    )


def test_serve_starts_a_child_that_dies_again_and_keeps_the_others(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(serve, "RESTART_FIRST_DELAY", 0.2)
    web, worker = tmp_path / "web", tmp_path / "worker"
    web_runs, worker_runs = tmp_path / "web-runs", tmp_path / "worker-runs"
    output = _serve(
        monkeypatch,
        {
            "web server": _child(web, f"open({str(web_runs)!r}, 'a').write('x'); time.sleep(30)"),
            "task worker": _child(
                worker,
                # Dies twice as a worker whose database went away did; the third run is
                # a process manager sending serve its SIGTERM.
                _runs(
                    worker_runs,
                    "os.kill(os.getppid(), signal.SIGTERM); time.sleep(30)",
                    exit_status=1,
                ),
            ),
        },
    )
    assert output.endswith("Stopped.\n")
    assert worker_runs.read_text() == "xxx"
    assert web_runs.read_text() == "x"
    assert [r.getMessage() for r in caplog.records if r.name == serve.__name__] == [
        "The task worker exited with status 1; starting it again in 0.2s",
        "The task worker exited with status 1; starting it again in 0.4s",
    ]
    assert _gone(web) and _gone(worker)


def test_serve_kills_a_child_that_ignores_the_signal(monkeypatch, tmp_path):
    monkeypatch.setattr(serve, "RESTART_FIRST_DELAY", 0.1)
    web, worker, web_runs = tmp_path / "web", tmp_path / "worker", tmp_path / "web-runs"
    monkeypatch.setattr(
        serve.Command,
        "child_commands",
        lambda self, options: {
            # The web server too is started again when it dies, then stops serve.
            "web server": _child(
                web, _runs(web_runs, "os.kill(os.getppid(), signal.SIGTERM)", exit_status=1)
            ),
            "task worker": _child(
                worker, "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(30)"
            ),
        },
    )
    out = StringIO()
    call_command("serve", "--port", "1", "--stop-timeout", "0.5", stdout=out)
    assert out.getvalue().endswith("Stopped.\n")
    assert web_runs.read_text() == "xxx"
    assert _gone(worker)


def test_serve_refuses_a_port_in_use(monkeypatch, tmp_path):
    started = []
    monkeypatch.setattr(
        serve.Command, "child_commands", lambda self, options: started.append(1) or {}
    )
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(CommandError, match=f"Something already listens on 127.0.0.1:{port}"):
            call_command("serve", "--port", str(port), stdout=StringIO())
    assert started == []
