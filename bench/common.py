"""What every benchmark shares: a database of its own, timing, and the JSON line format.

Benchmarks never touch the development database. With DATABASE_URL=postgres://…/NAME they
use (and create) NAME_bench on the same server; otherwise .bench/bench.sqlite3. Set
BENCH_DATABASE_URL to choose another.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> str:
    """Point Django at the benchmark database, migrate it, and return its vendor."""
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        base = os.environ.get("DATABASE_URL", "")
        if base.startswith(("postgres://", "postgresql://")):
            prefix, _, name = base.rpartition("/")
            url = f"{prefix}/{(name or 'infoconnect')}_bench"
            _ensure_postgres_database(url)
        else:
            (ROOT / ".bench").mkdir(exist_ok=True)
            url = f"sqlite:///{ROOT / '.bench' / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The benchmarks fund their wallets through the sandbox, which is off outside DEBUG.
    os.environ.setdefault("WALLET_SANDBOX_ENABLED", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    # As the web and task workers run (config/wsgi.py, task_worker): timings are the platform's.
    from infoconnect.core.runtime import tune_garbage_collector

    tune_garbage_collector()
    return connection.vendor


def _ensure_postgres_database(url: str) -> None:
    import psycopg

    prefix, _, name = url.rpartition("/")
    with psycopg.connect(f"{prefix}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def timed_ms(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def emit(
    name: str, value: float, unit: str, baseline: float | None, ratio: float | None, **extra
) -> None:
    line = {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": None if ratio is None else round(ratio, 3),
    }
    line.update(extra)
    print(json.dumps(line), flush=True)
