"""Cards that other apps draw on the messages they send: each app registers, in its
``AppConfig.ready``, a loader for its attachment type, so messaging draws a company's
requisition card without importing the app that owns requisitions.

A loader takes the viewer and the attachment ids of one page of messages and returns a card
for each id it knows; a card has a ``template`` (drawn with ``card`` and ``repeat`` in its
context) and is whatever else its template needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from infoconnect.accounts.models import User


class Card(Protocol):
    template: str


CardLoader = Callable[[User, set[int]], dict[int, Card]]

_loaders: dict[str, CardLoader] = {}


def register_card(attachment_type: str, loader: CardLoader) -> None:
    _loaders[attachment_type] = loader


def card_types() -> set[str]:
    return set(_loaders)


def load_cards(viewer: User, wanted: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Any]:
    """The cards of ``(attachment type, id)`` pairs, one loader call per type."""
    ids: dict[str, set[int]] = {}
    for attachment_type, attachment_id in wanted:
        if attachment_type in _loaders and attachment_id is not None:
            ids.setdefault(attachment_type, set()).add(attachment_id)
    found: dict[tuple[str, int], Any] = {}
    for attachment_type, type_ids in ids.items():
        for attachment_id, card in _loaders[attachment_type](viewer, type_ids).items():
            found[(attachment_type, attachment_id)] = card
    return found
