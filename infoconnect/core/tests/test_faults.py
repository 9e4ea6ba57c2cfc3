"""Work resumes by itself after a fault: a connection the server cut, a database that refuses
connections for a while, a worker killed mid-task. Each PostgreSQL test breaks a real
connection or process and shows the work finishing without any manual command."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import OperationalError, connection, connections, transaction
from django.test import RequestFactory
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from infoconnect.accounts.models import AccessToken
from infoconnect.accounts.tokens import new_token_key
from infoconnect.core import jobs, workers
from infoconnect.core.management.commands import periodic
from infoconnect.core.models import IdempotencyRecord
from infoconnect.core.tests import probe_tasks
from infoconnect.core.workers import session_name

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TIMEOUT = 30.0


def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("cuts a PostgreSQL connection")


def _wait_for(condition, *, timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    """Cut the session ``pid`` from a connection of its own, as an operator (or a restart)
    would, and wait until it is gone."""

    def cut() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        finally:
            connections.close_all()

    thread = threading.Thread(target=cut)
    thread.start()
    thread.join()


def _sessions(worker_id: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
            [session_name(worker_id)],
        )
        return [pid for (pid,) in cursor.fetchall()]


@contextmanager
def _worker(tmp_path, worker_id: str):
    """A real ``manage.py task_worker`` process on the test database."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    log = tmp_path / f"{worker_id}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, str(django_settings.BASE_DIR / "manage.py"), "task_worker"),
                *("--no-reload", "--no-startup-delay", "--queue-name", "*"),
                *("--interval", "0.1", "--worker-id", worker_id),
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    process.log = log
    try:
        assert _wait_for(lambda: _sessions(worker_id)), log.read_text()
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def _maintenance():
    """A cursor on the server's maintenance database, which stays open whatever happens to
    the test database."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"],
        autocommit=True,
    ) as maintenance:
        yield maintenance.cursor()


def _status(result) -> str:
    return DBTaskResult.objects.get(pk=result.id).status


def _running(*, worker_id: str, started: timedelta):
    result = probe_tasks.echo.enqueue("x")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - started,
        worker_ids=[worker_id],
    )
    return result


def _old_record() -> None:
    IdempotencyRecord.objects.create(
        user_id=1, key="old", scope="s", fingerprint="f", status_code=200, response={}
    )
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=2))


# periodic ------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_periodic_sweeps_again_after_its_connection_is_cut(settings, monkeypatch):
    _postgres_only()
    settings.TASKS = DATABASE_TASKS
    settings.TASK_RUNNING_TIMEOUT = 0
    # A command that reads before it writes: a failed read outside a transaction leaves the
    # dead connection in place (a failed write in one closes it).
    settings.PERIODIC_COMMANDS = [("reclaim_tasks", 0.1)]
    monkeypatch.setattr(periodic, "TICK_SECONDS", 0.05)
    pid = _backend_pid()
    before = signal.getsignal(signal.SIGTERM)
    reclaimed = []

    def fault() -> None:
        try:
            if _wait_for(lambda: signal.getsignal(signal.SIGTERM) != before):
                time.sleep(0.3)  # a few rounds on the first connection
                _terminate(pid)
                left = _running(worker_id="gone", started=timedelta(minutes=1))
                reclaimed.append(_wait_for(lambda: _status(left) == TaskResultStatus.READY))
        finally:
            connections.close_all()
            os.kill(os.getpid(), signal.SIGTERM)  # stops periodic, as a process manager would

    thread = threading.Thread(target=fault)
    thread.start()
    call_command("periodic", stdout=StringIO())
    thread.join()
    assert reclaimed == [True]
    assert _backend_pid() != pid


# the task worker -----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_outlives_a_database_that_went_away(settings, tmp_path):
    _postgres_only()
    settings.TASKS = DATABASE_TASKS
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    with _worker(tmp_path, "outlives") as worker, _maintenance() as cursor:
        (pid,) = _sessions("outlives")
        # As in a database restart: its connection is cut and none is accepted for a while.
        cursor.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        try:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert _wait_for(lambda: "lost the database" in worker.log.read_text())
            assert worker.poll() is None
        finally:
            cursor.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        result = probe_tasks.echo.enqueue("after the outage")
        assert _wait_for(lambda: _status(result) == TaskResultStatus.SUCCESSFUL)
        assert worker.poll() is None
    assert DBTaskResult.objects.get(pk=result.id).return_value == "after the outage"
    assert _sessions("outlives") == []


@pytest.mark.django_db(transaction=True)
def test_a_task_whose_outcome_was_lost_with_the_connection_runs_again(
    settings, monkeypatch, caplog
):
    settings.TASKS = DATABASE_TASKS
    monkeypatch.setattr(workers.time, "sleep", lambda seconds: None)
    if connection.vendor == "postgresql":
        # The worker names this process's sessions; the name goes with the test.
        monkeypatch.setitem(connection.settings_dict["OPTIONS"], "application_name", "")
    lost = []

    def lose_the_first_run(record):
        def once(self, outcome):
            if len(lost) < 2:  # the success, then the failure, of the first run
                lost.append(record.__name__)
                raise OperationalError("server closed the connection unexpectedly")
            return record(self, outcome)

        return once

    for name in ("set_successful", "set_failed"):
        monkeypatch.setattr(DBTaskResult, name, lose_the_first_run(getattr(DBTaskResult, name)))
    result = probe_tasks.echo.enqueue("twice")
    workers.Worker(
        queue_names=["*"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="flaky",
    ).run()
    row = DBTaskResult.objects.get(pk=result.id)
    assert lost == ["set_successful", "set_failed"]
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, "twice")
    assert row.worker_ids == ["flaky", "flaky"]
    assert f"Task id={row.pk} lost its outcome with the database; it runs again" in caplog.text


# stale running tasks -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_running_past_the_timeout_on_a_gone_worker_is_ready_again(settings):
    settings.TASKS = DATABASE_TASKS
    settings.TASK_RUNNING_TIMEOUT = 600
    stale = _running(worker_id="gone", started=timedelta(minutes=11))
    recent = _running(worker_id="gone", started=timedelta(minutes=9))
    out = StringIO()
    call_command("reclaim_tasks", stdout=out)
    assert out.getvalue() == "reclaimed_tasks=1\n"
    assert _status(stale) == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=stale.id).started_at is None
    assert _status(recent) == TaskResultStatus.RUNNING
    out = StringIO()
    call_command("reclaim_tasks", stdout=out)
    assert out.getvalue() == "reclaimed_tasks=0\n"


def test_the_periodic_work_reclaims_stale_tasks(settings):
    assert ("reclaim_tasks", 60) in settings.PERIODIC_COMMANDS
    assert settings.TASK_RUNNING_TIMEOUT == 600


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_task_a_killed_worker_left_running_is_run_by_another(settings, tmp_path):
    _postgres_only()
    settings.TASKS = DATABASE_TASKS
    settings.TASK_RUNNING_TIMEOUT = 0
    settings.PERIODIC_COMMANDS = [("reclaim_tasks", 60)]

    def periodic_round() -> str:
        out = StringIO()
        call_command("periodic", "--once", stdout=out)
        return out.getvalue()

    marker = tmp_path / "started"
    result = probe_tasks.hang_the_first_time.enqueue(str(marker))
    with _worker(tmp_path, "killed") as first:
        assert _wait_for(marker.exists)
        assert _status(result) == TaskResultStatus.RUNNING
        # Its worker is alive: the task is left alone, however long it runs.
        assert periodic_round() == "reclaimed_tasks=0\n"
        first.kill()
        first.wait()
    # The killed worker's session goes within moments; then the task is READY again.
    assert _wait_for(lambda: periodic_round() == "reclaimed_tasks=1\n")
    with _worker(tmp_path, "second"):
        assert _wait_for(lambda: _status(result) == TaskResultStatus.SUCCESSFUL)
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.return_value, row.worker_ids) == ("ran again", ["killed", "second"])


# a task's transient error --------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_task_whose_connection_is_cut_succeeds_on_the_retry(caplog):
    _postgres_only()
    _old_record()
    probe_tasks.attempts.clear()
    _terminate(_backend_pid())
    result = probe_tasks.count_records.enqueue()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 1)
    assert probe_tasks.attempts == ["count_records", "count_records"]
    assert "count_records hit OperationalError" in caplog.text


def _flaky(failures: int, error: Exception | None = None):
    error = error or OperationalError("server closed the connection")
    calls = []

    @jobs.retry_transient
    def body() -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise error
        return "done"

    return body, calls


@pytest.fixture
def no_sleep(monkeypatch):
    slept = []
    monkeypatch.setattr(jobs.time, "sleep", slept.append)
    return slept


@pytest.mark.django_db(transaction=True)
def test_a_transient_error_is_retried_on_a_fresh_connection(no_sleep, monkeypatch):
    closed = []
    monkeypatch.setattr(jobs, "close_broken_connections", lambda: closed.append(1))
    body, calls = _flaky(2)
    assert body() == "done"
    assert (len(calls), no_sleep, len(closed)) == (3, [0.2, 1.0], 2)


@pytest.mark.django_db(transaction=True)
def test_a_transient_error_that_lasts_is_raised_after_the_retries(no_sleep):
    body, calls = _flaky(10)
    with pytest.raises(OperationalError):
        body()
    assert (len(calls), no_sleep) == (4, [0.2, 1.0, 3.0])


def test_an_error_that_is_not_transient_is_raised_at_once(no_sleep):
    body, calls = _flaky(1, ValueError("bad input"))
    with pytest.raises(ValueError):
        body()
    assert (len(calls), no_sleep) == (1, [])


@pytest.mark.django_db(transaction=True)
def test_a_transient_error_inside_a_transaction_is_the_callers(no_sleep):
    body, calls = _flaky(1)
    with pytest.raises(OperationalError), transaction.atomic():
        body()
    assert (len(calls), no_sleep) == (1, [])


# the web -------------------------------------------------------------------------------


def _get(handler: WSGIHandler, path: str, token: str) -> tuple[str, bytes]:
    """One request through the WSGI handler a production server calls (the test client
    skips the connection check Django makes as a request starts)."""
    environ = RequestFactory().get(path, headers={"Authorization": f"Bearer {token}"}).environ
    statuses = []
    response = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        return statuses[0], b"".join(response)
    finally:
        response.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_first_request_after_a_dropped_connection_answers(make_user):
    _postgres_only()
    user = make_user("alice")
    token = new_token_key()
    AccessToken.objects.create(
        user=user, name="tests", key_hash=AccessToken.hash_key(token), hint=token[:7]
    )
    handler = WSGIHandler()
    path = "/api/v1/accounts/verify_credentials"
    assert _get(handler, path, token)[0] == "200 OK"
    pid = _backend_pid()
    _terminate(pid)
    status, body = _get(handler, path, token)
    assert (status, json.loads(body)["username"]) == ("200 OK", "alice")
    assert _backend_pid() != pid
