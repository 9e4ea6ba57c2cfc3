"""`make fuzz`: schemathesis against a live InfoConnect, as a person and as a verified merchant.

A fresh SQLite database in a temporary folder is migrated and seeded with the demo, each user
gets a personal access token, and `manage.py serve` answers on a free port with DEBUG off.
Schemathesis then runs against /api/v1/openapi.json for FUZZ_SECONDS (default 300) split
between the two users. The exit status is non-zero on any server error, response that does
not match its documented schema, or status code the document does not list.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SCHEMATHESIS = str(Path(PYTHON).with_name("schemathesis"))
PERSON = "lihua"
MERCHANT = "greentea_shop"
USERS_PREFIX = (f"{PERSON} ", f"{MERCHANT} ")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)
MAKE_TOKENS = """
from infoconnect.accounts.models import AccessToken, User
from infoconnect.accounts.tokens import new_token_key
for username in {usernames!r}:
    user = User.objects.get(username=username)
    key = new_token_key()
    AccessToken.objects.create(
        user=user, name="fuzz", key_hash=AccessToken.hash_key(key), hint=key[-4:]
    )
    print(username, key)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
    )
    return result.stdout or ""


def wait_for(url: str, timeout: float = 300.0) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=120) as response:
                if response.status == 200:
                    return response.read()
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {timeout:.0f}s")


def main() -> int:
    seconds = int(os.environ.get("FUZZ_SECONDS", "300"))
    workdir = Path(tempfile.mkdtemp(prefix="infoconnect-fuzz-"))
    env = {
        **os.environ,
        "DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{workdir / 'fuzz.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "REDIS_URL": "",
        "SECRET_KEY": "fuzz-" + os.urandom(16).hex(),
        # The fuzzer sends thousands of requests from one client: the limits would answer
        # most of them with 429 and hide the endpoints behind.
        "RATELIMIT_ENABLE": "0",
        "AXES_ENABLED": "0",
        # Top-ups are part of the API: the sandbox is enabled on purpose, with a secret of its own.
        "WALLET_SANDBOX_ENABLED": "1",
        "WALLET_SANDBOX_SECRET": "fuzz-" + os.urandom(16).hex(),
        "LOG_LEVEL": "WARNING",
        # Building the OpenAPI document takes seconds on a busy machine: more than gunicorn's
        # default 30 s would kill the worker mid-answer.
        "GUNICORN_CMD_ARGS": "--timeout 300",
    }
    for name in ("POSTGRES_TEST_NAME", "SQLITE_TEST_NAME"):
        env.pop(name, None)
    server = None
    try:
        print(f"== fresh database in {workdir}", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        output = manage(
            env, "shell", "-c", MAKE_TOKENS.format(usernames=[PERSON, MERCHANT]), capture=True
        )
        tokens = dict(
            line.split(" ", 1) for line in output.splitlines() if line.startswith(USERS_PREFIX)
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [PYTHON, "manage.py", "serve", "--port", str(port), "--gunicorn", "--web-workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            process_group=0,
        )
        # Read once here: building the document can outlast schemathesis's 10 s schema timeout
        # on a busy machine.
        schema = workdir / "openapi.json"
        schema.write_bytes(wait_for(f"{base}/api/v1/openapi.json"))
        status = 0
        share = max(1, seconds // len(tokens))
        for username, token in tokens.items():
            print(f"== schemathesis as {username} for {share}s", flush=True)
            result = subprocess.run(
                [
                    SCHEMATHESIS,
                    "run",
                    str(schema),
                    # The document's paths start with /api/.
                    "--url",
                    base,
                    "-H",
                    f"Authorization: Bearer {token}",
                    "--checks",
                    CHECKS,
                    "--max-time",
                    str(share),
                    # One worker: hypothesis parses its lambdas' source with ast, and two
                    # threads doing so at once trip CPython 3.11 ("AST constructor recursion
                    # depth mismatch"), which ends the phase as a runtime error.
                    "--workers",
                    "1",
                    "--request-timeout",
                    "30",
                    "--suppress-health-check",
                    "all",
                    "--warnings",
                    "off",
                    "--report",
                    "junit",
                    "--report-dir",
                    str(workdir / f"report-{username}"),
                ],
                cwd=workdir,
                env=env,
            )
            status = status or result.returncode
        return status
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if os.environ.get("FUZZ_KEEP"):
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
