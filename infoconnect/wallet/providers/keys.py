"""Reading a provider's keys and secrets from the files settings name.

Keys live in files (mounted secrets), never in the environment itself: a path is what the
settings hold, and the key is read when the provider needs it, so a rotated file is used
without a restart. Every failure is a ``KeyProblem`` that says which setting is wrong; the
start-up check (checks.py) reports it, and a provider asked to work with it refuses.
"""

from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key


class KeyProblem(Exception):
    """A setting names no key, an unreadable file, or something that is not the key."""


def read_file(setting: str, path: str) -> str:
    if not path:
        raise KeyProblem(f"{setting} is not set")
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as problem:
        raise KeyProblem(f"{setting} ({path}) cannot be read: {problem}") from None


def as_pem(text: str, kind: str) -> str:
    """A PEM document from ``text``: kept as it is, or wrapped when it is the bare base64
    body the Alipay console hands out (no BEGIN/END lines)."""
    if "-----BEGIN" in text:
        return text
    body = "".join(text.split())
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])


def private_key_pem(setting: str, path: str) -> str:
    raw = read_file(setting, path)
    # A bare body is PKCS#8 or PKCS#1, as the key tool was asked: try both wrappings.
    for kind in ("PRIVATE KEY", "RSA PRIVATE KEY"):
        text = as_pem(raw, kind)
        try:
            load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError):
            continue
        return text
    raise KeyProblem(f"{setting} ({path}) is not an unencrypted PEM private key")


def public_key_pem(setting: str, path: str) -> str:
    text = as_pem(read_file(setting, path), "PUBLIC KEY")
    try:
        load_pem_public_key(text.encode())
    except (ValueError, TypeError) as problem:
        raise KeyProblem(f"{setting} ({path}) is not a PEM public key: {problem}") from None
    return text


def require(setting: str, value: str) -> str:
    if not value:
        raise KeyProblem(f"{setting} is not set")
    return value
