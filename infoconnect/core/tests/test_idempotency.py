import pytest

from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.idempotency import prune_expired, run_idempotent
from infoconnect.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return 201, {"id": self.calls}


def test_first_response_is_replayed():
    action = Counter()
    first = run_idempotent(
        user_id=1, key="k1", scope="topup", params={"amount": 100}, action=action
    )
    again = run_idempotent(
        user_id=1, key="k1", scope="topup", params={"amount": 100}, action=action
    )
    assert first == again == (201, {"id": 1})
    assert action.calls == 1


def test_same_key_with_other_parameters_is_409():
    action = Counter()
    run_idempotent(user_id=1, key="k1", scope="topup", params={"amount": 100}, action=action)
    with pytest.raises(DomainError) as error:
        run_idempotent(user_id=1, key="k1", scope="topup", params={"amount": 200}, action=action)
    assert (error.value.code, error.value.status) == ("idempotency_key_reused", 409)
    with pytest.raises(DomainError):
        run_idempotent(user_id=1, key="k1", scope="payout", params={"amount": 100}, action=action)
    assert action.calls == 1


def test_keys_belong_to_one_user():
    action = Counter()
    run_idempotent(user_id=1, key="k1", scope="topup", params={}, action=action)
    assert run_idempotent(user_id=2, key="k1", scope="topup", params={}, action=action) == (
        201,
        {"id": 2},
    )


def test_domain_error_is_stored_and_replayed_with_nothing_written():
    from infoconnect.core.models import PlatformSettings

    def failing():
        PlatformSettings.objects.create(campaigns_per_day=9)
        raise DomainError(CommonError.FORBIDDEN)

    first = run_idempotent(user_id=1, key="k2", scope="s", params={}, action=failing)
    assert first == (403, {"error": "You may not do that.", "code": "forbidden"})
    assert not PlatformSettings.objects.filter(campaigns_per_day=9).exists()
    assert run_idempotent(user_id=1, key="k2", scope="s", params={}, action=Counter()) == first


def test_unexpected_error_stores_nothing():
    def crash():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        run_idempotent(user_id=1, key="k3", scope="s", params={}, action=crash)
    assert not IdempotencyRecord.objects.exists()
    assert run_idempotent(user_id=1, key="k3", scope="s", params={}, action=Counter()) == (
        201,
        {"id": 1},
    )


@pytest.mark.parametrize("key", [None, "", "   ", "x" * 256])
def test_missing_or_oversized_key_is_refused(key):
    with pytest.raises(DomainError) as error:
        run_idempotent(user_id=1, key=key, scope="s", params={}, action=Counter())
    assert error.value.status in {400, 422}
    assert not IdempotencyRecord.objects.exists()


def test_prune_keeps_a_day():
    from datetime import timedelta

    from django.utils import timezone

    run_idempotent(user_id=1, key="old", scope="s", params={}, action=Counter())
    run_idempotent(user_id=1, key="new", scope="s", params={}, action=Counter())
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert prune_expired() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_the_periodic_sweeps_prune_stored_responses(settings):
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    assert ("idempotency_sweep", 3600) in settings.PERIODIC_COMMANDS
    run_idempotent(user_id=1, key="old", scope="s", params={}, action=Counter())
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=2))
    out = StringIO()
    call_command("idempotency_sweep", stdout=out)
    assert out.getvalue().strip() == "pruned_idempotency_records=1"
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_run_once():
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("true concurrency needs PostgreSQL")
    from infoconnect.core.models import PlatformSettings

    barrier = threading.Barrier(4)
    results = []

    def action():
        PlatformSettings.objects.create()
        return 201, {"made": PlatformSettings.objects.count()}

    def worker():
        try:
            barrier.wait()
            results.append(
                run_idempotent(user_id=7, key="same", scope="s", params={}, action=action)
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert len({str(r) for r in results}) == 1
    assert PlatformSettings.objects.count() == 1
