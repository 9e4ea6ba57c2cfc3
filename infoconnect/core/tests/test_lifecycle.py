"""The lifecycle machinery, the job queue and the sweep, on a graph declared for the test.

The graph runs over the merchant application's review status (pending → verified → rejected)
without registering it, so nothing else in the platform sees it.
"""

import logging
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django_tasks import task as plain_task

from infoconnect.accounts.models import MerchantProfile
from infoconnect.core import jobs, sweeps
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.lifecycle import Edge, Lifecycle

Status = MerchantProfile.Status
moves: list = []
swept: list = []


def sweep_verify(*, merchantprofile_id: int, now) -> bool:
    swept.append(merchantprofile_id)
    if merchantprofile_id == Review.failing_id:
        raise RuntimeError("this row fails")
    profile = MerchantProfile.objects.get(pk=merchantprofile_id)
    return review.move(profile, "verify", strict=False, reviewed_at=now)


class Review(Lifecycle):
    model = MerchantProfile
    invalid_state = CommonError.VALIDATION
    field = "status"
    failing_id = None
    edges = (
        Edge(
            "verify",
            sources=(Status.PENDING,),
            target=Status.VERIFIED,
            event="verified",
            due="applied_at",
            delay=timedelta(days=1),
            sweep=f"{__name__}.sweep_verify",
        ),
        Edge("suspend", sources=(Status.PENDING, Status.VERIFIED), target=Status.REJECTED),
        Edge("reinstate", sources=(Status.REJECTED,), target=Status.VERIFIED, hot_path=__name__),
    )

    def moved(self, obj, move) -> None:
        moves.append((obj.pk, move.edge.verb, move.from_state, move.context))


review = Review()


@pytest.fixture(autouse=True)
def _fresh():
    moves.clear()
    swept.clear()
    Review.failing_id = None


@pytest.fixture
def profile(make_user):
    return make_user("teashop", kind="merchant").merchant_profile


def stored(profile) -> str:
    return MerchantProfile.objects.get(pk=profile.pk).status


def test_a_move_writes_the_state_and_its_fields_then_runs_the_hook(profile):
    now = timezone.now()
    assert review.move(profile, "verify", reviewed_at=now, context={"by": "operator"}) is True
    assert stored(profile) == Status.VERIFIED
    assert profile.status == Status.VERIFIED and profile.reviewed_at == now
    assert moves == [(profile.pk, "verify", Status.PENDING, {"by": "operator"})]


def test_a_move_from_a_state_the_edge_does_not_leave_is_refused_and_writes_nothing(profile):
    with pytest.raises(DomainError) as raised:
        review.move(profile, "reinstate")
    assert raised.value.code == "validation_error"
    assert stored(profile) == Status.PENDING
    assert moves == []
    assert review.move(profile, "reinstate", strict=False) is False


def test_a_row_that_moved_first_refuses_the_second_move(profile):
    stale = MerchantProfile.objects.get(pk=profile.pk)
    review.move(profile, "suspend")
    # The stale copy still says pending, a state "verify" leaves: the UPDATE finds no row.
    with pytest.raises(DomainError):
        review.move(stale, "verify")
    assert stored(profile) == Status.REJECTED
    assert [verb for _pk, verb, _from, _ctx in moves] == ["suspend"]


def test_where_adds_conditions_to_the_update(profile):
    assert review.move(profile, "verify", strict=False, where={"shop_name": "another"}) is False
    assert stored(profile) == Status.PENDING


def test_allows_sources_and_targets_answer_from_the_declaration(profile):
    assert review.allows(profile, "verify") and review.allows(profile, "suspend")
    assert not review.allows(profile, "reinstate")
    assert review.sources("suspend", "verify") == (Status.PENDING, Status.VERIFIED)
    assert review.targets("verify", "reinstate") == (Status.VERIFIED,)
    assert review.verbs_from(Status.PENDING) == ["verify", "suspend"]


def test_a_hot_path_reports_its_move_through_the_hook(profile):
    review.report(profile, "reinstate", from_state=Status.REJECTED)
    assert moves == [(profile.pk, "reinstate", Status.REJECTED, {})]
    with pytest.raises(LookupError):
        review.report(profile, "suspend", from_state=Status.PENDING)


def test_a_declaration_with_a_mistake_fails_at_once():
    class Unknown(Review):
        edges = (Edge("x", sources=("nowhere",), target=Status.VERIFIED),)

    class Twice(Review):
        edges = (Edge("x", (Status.PENDING,), Status.VERIFIED),) * 2

    with pytest.raises(ValueError, match="unknown state"):
        Unknown()
    with pytest.raises(ValueError, match="twice"):
        Twice()
    with pytest.raises(ValueError, match="no sweep"):
        Edge("x", (Status.PENDING,), Status.VERIFIED, due="applied_at")


def test_the_sweep_moves_each_due_row_once_in_batches_and_survives_a_failing_row(make_user):
    profiles = [make_user(f"shop{n}", kind="merchant").merchant_profile for n in range(5)]
    old = timezone.now() - timedelta(days=2)
    MerchantProfile.objects.filter(pk__in=[p.pk for p in profiles[:4]]).update(applied_at=old)
    Review.failing_id = profiles[1].pk
    assert sweeps.sweep_edge(review, "verify", batch=2) == 3
    assert [stored(p) for p in profiles] == [Status.VERIFIED, Status.PENDING] + [
        Status.VERIFIED
    ] * 2 + [Status.PENDING]
    assert swept == [p.pk for p in profiles[:4]]
    # A second run finds only the failing row still due.
    swept.clear()
    assert sweeps.sweep_edge(review, "verify") == 0
    assert swept == [profiles[1].pk]


@plain_task()
def record(value: str) -> str:
    swept.append(value)
    return value


@pytest.mark.django_db(transaction=True)
def test_work_is_queued_after_commit_and_never_after_a_rollback():
    with transaction.atomic():
        jobs.enqueue_on_commit(f"{__name__}.record", "kept")
        assert swept == []
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue_on_commit(record, "dropped")
        raise RuntimeError
    assert swept == ["kept"]


def test_queueing_that_fails_is_logged_and_answers_false(caplog):
    with caplog.at_level(logging.ERROR, logger="infoconnect.core.jobs"):
        assert jobs.enqueue_now("infoconnect.no_such_module.task", 1) is False
    assert "the sweep will pick the work up" in caplog.text


def test_a_deferred_job_on_a_backend_that_cannot_defer_is_left_to_the_sweep():
    assert jobs.enqueue_now(record, "later", run_after=timezone.now()) is False
    assert swept == []


@pytest.mark.django_db(transaction=True)
def test_a_task_body_is_retried_after_a_transient_error(monkeypatch):
    monkeypatch.setattr(jobs, "RETRY_DELAYS", (0, 0))
    attempts = []

    @jobs.retry_transient
    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return "done"

    @jobs.retry_transient
    def broken() -> None:
        attempts.append(1)
        raise ValueError("not transient")

    # Outside any transaction, as the worker runs a task.
    assert not connection.in_atomic_block
    assert flaky() == "done"
    assert len(attempts) == 3
    attempts.clear()
    with pytest.raises(ValueError):
        broken()
    assert len(attempts) == 1


@pytest.mark.django_db
def test_inside_a_transaction_a_transient_error_belongs_to_the_caller():
    attempts = []

    @jobs.retry_transient
    def flaky() -> None:
        attempts.append(1)
        raise OperationalError("deadlock")

    with pytest.raises(OperationalError):
        flaky()
    assert len(attempts) == 1
