"""Mastodon's time format, shared by every entity the API renders."""

from datetime import UTC, datetime


def iso(value: datetime | None) -> str | None:
    """Mastodon's time format: UTC, milliseconds, a Z."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
