"""manage.py periodic: runs the configured sweeps, keeps going past a failing one, stops on a
signal; manage.py serve starts it beside the web server and the worker."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from infoconnect.core.management.commands import periodic, serve


@pytest.mark.django_db
def test_once_runs_every_configured_sweep(settings):
    settings.PERIODIC_COMMANDS = [("shop_sweep", 60), ("resume_campaigns", 300)]
    out = StringIO()
    call_command("periodic", "--once", stdout=out)
    assert out.getvalue().splitlines() == [
        "expired=0 completed=0",
        "queued 0 scheduled and 0 sending campaigns",
    ]


def test_unknown_command_is_refused(settings):
    settings.PERIODIC_COMMANDS = [("shop_sweep", 60), ("no_such_sweep", 60)]
    with pytest.raises(CommandError, match="unknown commands: no_such_sweep"):
        call_command("periodic", "--once", stdout=StringIO())


@pytest.mark.django_db
def test_a_failing_sweep_does_not_stop_the_others(settings, monkeypatch, caplog):
    settings.PERIODIC_COMMANDS = [("shop_sweep", 60), ("resume_campaigns", 300)]
    ran = []

    def fake_call_command(name, **kwargs):
        ran.append(name)
        if name == "shop_sweep":
            raise RuntimeError("database went away")

    monkeypatch.setattr(periodic, "call_command", fake_call_command)
    call_command("periodic", "--once", stdout=StringIO())
    assert ran == ["shop_sweep", "resume_campaigns"]
    assert "Periodic command shop_sweep failed" in caplog.text


@pytest.mark.django_db
def test_the_loop_runs_each_sweep_when_due_and_stops_on_a_signal(settings, monkeypatch):
    settings.PERIODIC_COMMANDS = [("shop_sweep", 60), ("resume_campaigns", 120)]
    clock = {"now": 1000.0}
    ran = []
    command = periodic.Command(stdout=StringIO())

    def fake_sleep(seconds):
        clock["now"] += 30  # half a minute a tick
        if clock["now"] >= 1000.0 + 150:
            command._on_signal(15, None)

    monkeypatch.setattr(periodic.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(periodic.time, "sleep", fake_sleep)
    monkeypatch.setattr(
        periodic, "call_command", lambda name, **kw: ran.append((name, clock["now"]))
    )
    command.handle(once=False)
    assert ran == [
        ("shop_sweep", 1000.0),
        ("resume_campaigns", 1000.0),
        ("shop_sweep", 1060.0),
        ("shop_sweep", 1120.0),
        ("resume_campaigns", 1120.0),
    ]


@pytest.mark.django_db
def test_a_failed_sweep_is_tried_again_before_its_period_is_over(settings, monkeypatch):
    settings.PERIODIC_COMMANDS = [("resume_campaigns", 300)]
    clock = {"now": 1000.0}
    ran = []
    command = periodic.Command(stdout=StringIO())

    def fake_sleep(seconds):
        clock["now"] += 5
        if clock["now"] >= 1000.0 + 60:
            command._on_signal(15, None)

    def fake_call_command(name, **kwargs):
        ran.append(clock["now"])
        if len(ran) == 1:
            raise OperationalError("the database went away")

    monkeypatch.setattr(periodic.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(periodic.time, "sleep", fake_sleep)
    monkeypatch.setattr(periodic, "call_command", fake_call_command)
    command.handle(once=False)
    # RETRY_SECONDS after the failure, then the full 300 s.
    assert ran == [1000.0, 1010.0]


SERVE_OPTIONS = {"addr": "127.0.0.1", "port": 8000, "gunicorn": False, "web_workers": 2}


def test_serve_starts_the_periodic_sweeper_and_a_task_worker_beside_redis(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    command = serve.Command()
    children = command.child_commands(SERVE_OPTIONS)
    assert list(children) == ["web server", "task worker", "periodic sweeper"]
    assert children["periodic sweeper"][-1] == "periodic"
    assert children["task worker"][2:] == ["task_worker", "--no-reload", "--queue-name", "*"]
    assert command.child_environment("web server") is None


def test_serve_runs_the_task_worker_inside_the_web_server_without_redis(settings):
    """Without Redis the event bus lives in one process: what tasks publish must reach the
    browsers connected to that process, so the worker runs there."""
    settings.REDIS_URL = ""
    command = serve.Command()
    children = command.child_commands(SERVE_OPTIONS)
    assert list(children) == ["web server", "periodic sweeper"]
    assert command.child_environment("web server")[serve.EMBEDDED_WORKER_ENV] == "1"
