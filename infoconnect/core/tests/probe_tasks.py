"""Tasks the fault tests queue; a worker process the tests start imports them too."""

import os
import time

from django.db import connection

from infoconnect.core.jobs import task
from infoconnect.core.models import IdempotencyRecord

attempts: list[str] = []


@task()
def echo(text: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return text


@task()
def count_records() -> int:
    attempts.append("count_records")
    return IdempotencyRecord.objects.count()


@task()
def hang_the_first_time(marker: str) -> str:
    """Hangs on its first run (the test kills that worker); finishes on the next."""
    if not os.path.exists(marker):
        with open(marker, "w"):
            pass
        time.sleep(120)
    return "ran again"
