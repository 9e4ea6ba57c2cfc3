"""Failure injection for tests: break one SQL statement, wherever in the code it is sent.

A statement is found by text it contains, so the same injection works whether the code
sends it alone or as part of a larger statement (PostgreSQL's data-modifying CTEs).
"""

import asyncio
import threading

from django.db import DEFAULT_DB_ALIAS, connection, connections

from infoconnect.core.errors import DomainError


class Injected(RuntimeError):
    pass


def fail_at_statement(text: str, *, nth: int = 1, after: bool = False):
    """An installer for pytest's monkeypatch that breaks the ``nth`` SQL statement containing
    ``text``, before it runs or after it ran (the transaction around it is still open)."""

    def install(mp):
        seen = []

        def wrapper(execute, sql, params, many, context):
            hit = text in sql
            if hit:
                seen.append(sql)
            if hit and len(seen) == nth and not after:
                raise Injected("injected failure")
            result = execute(sql, params, many, context)
            if hit and len(seen) == nth and after:
                raise Injected("injected failure")
            return result

        db = connections[DEFAULT_DB_ALIAS]
        mp.setattr(db, "execute_wrappers", [*db.execute_wrappers, wrapper])

    return install


def run_async(coroutine):
    """Run ``coroutine`` to its end in a thread of its own: the browser tests' Playwright keeps
    an event loop running in the test thread, where asyncio.run is refused."""
    outcome = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # noqa: BLE001 - raised again in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def run_together(*works) -> list[str]:
    """Run each work in a thread of its own, all released at once (PostgreSQL's concurrent
    writers): "ok" or the domain error code of each, in the order given."""
    barrier = threading.Barrier(len(works))
    results: list[str] = [""] * len(works)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            works[index]()
            results[index] = "ok"
        except DomainError as error:
            results[index] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
