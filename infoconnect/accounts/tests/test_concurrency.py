import threading

import pytest
from django.db import connection

from conftest import TEST_PASSWORD
from infoconnect.accounts import actions
from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_racing_for_one_name_in_different_cases():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign_up(username: str) -> None:
        from django.db import connections

        try:
            barrier.wait()
            actions.sign_up(username=username, password=TEST_PASSWORD)
            outcomes.append("created")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(name,)) for name in ("Alice", "alice")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "username_taken"]
    assert User.objects.filter(username__iexact="alice").count() == 1
