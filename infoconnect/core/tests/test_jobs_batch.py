"""The tasks one transaction queues are written after its commit in one INSERT, keeping what a
savepoint rolled back out of it."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from infoconnect.core import jobs
from infoconnect.core.tests.probe_tasks import echo

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _task_inserts(queries) -> list[str]:
    table = DBTaskResult._meta.db_table
    return [q["sql"] for q in queries if q["sql"].startswith("INSERT") and table in q["sql"]]


@pytest.mark.django_db(transaction=True)
def test_a_transactions_tasks_are_written_in_one_insert_after_its_commit(settings):
    settings.TASKS = DATABASE_TASKS
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            jobs.enqueue_on_commit(echo, "first")
            jobs.enqueue_on_commit("infoconnect.core.tests.probe_tasks.echo", "second")
            with pytest.raises(RuntimeError), transaction.atomic():
                jobs.enqueue_on_commit(echo, "rolled back")
                raise RuntimeError
            jobs.enqueue_on_commit(echo, "third")
            assert DBTaskResult.objects.count() == 0
    assert len(_task_inserts(queries.captured_queries)) == 1
    kept = sorted(r.args_kwargs["args"][0] for r in DBTaskResult.objects.all())
    assert kept == ["first", "second", "third"]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_written_when_the_transaction_rolls_back(settings):
    settings.TASKS = DATABASE_TASKS
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue_on_commit(echo, "one")
        jobs.enqueue_on_commit(echo, "two")
        raise RuntimeError
    with transaction.atomic():
        jobs.enqueue_on_commit(echo, "after")
    assert [r.args_kwargs["args"][0] for r in DBTaskResult.objects.all()] == ["after"]


@pytest.mark.django_db(transaction=True)
def test_a_task_that_cannot_be_found_does_not_keep_the_others_from_being_queued(settings, caplog):
    settings.TASKS = DATABASE_TASKS
    with transaction.atomic():
        jobs.enqueue_on_commit(echo, "one")
        jobs.enqueue_on_commit("infoconnect.no_such_module.task", 1)
        jobs.enqueue_on_commit(echo, "two")
    assert DBTaskResult.objects.count() == 2
    assert "the sweep will pick the work up" in caplog.text


def test_hooks_run_by_hand_queue_every_task(django_capture_on_commit_callbacks):
    ran = []
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue_on_commit(lambda_task := _Recorder(ran), "a")
        jobs.enqueue_on_commit(lambda_task, "b")
    assert ran == ["a", "b"]


class _Recorder:
    """A stand-in task for another backend: enqueue records the call."""

    def __init__(self, ran):
        self.ran = ran

    def enqueue(self, *args, **kwargs):
        self.ran.append(args[0])


def test_hooks_run_by_hand_from_a_later_point_still_queue_what_was_queued_since(
    django_capture_on_commit_callbacks,
):
    ran = []
    recorder = _Recorder(ran)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue_on_commit(recorder, "before")
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue_on_commit(recorder, "after")
    assert ran == ["before", "after"]
