"""What an approval is bound to: the requisition's lines with their prices, the address and
the payment method, as a snapshot and its digest.

Each approval stores both. Before the next approval counts and before the orders are placed,
the requisition as it stands now is compared with every approval of its round: the same
digest, or only prices that dropped, lets it go on; a price that rose, a line added, removed
or changed, another address or payment method sends it back to approval.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from enum import Enum

from infoconnect.procurement.models import Requisition, RequisitionLine


class Change(Enum):
    SAME = "same"
    CHEAPER = "cheaper"  # only prices dropped: the approval still holds
    CHANGED = "changed"  # back to approval


def snapshot(requisition: Requisition, lines: Iterable[RequisitionLine]) -> dict:
    """The requisition as an approver sees it: lines (by SKU) with the price each costs now,
    the ship-to address and the payment method."""
    address = requisition.ship_to.snapshot() if requisition.ship_to_id else {}
    return {
        "lines": sorted(
            [
                [
                    line.sku_id,
                    line.title,
                    sorted(line.attributes.items()),
                    line.quantity,
                    line.unit_price,
                ]
                for line in lines
            ],
            key=lambda row: row[0] or 0,
        ),
        "address": address,
        "payment": requisition.payment_method,
        "currency": requisition.currency,
    }


def digest(snap: dict) -> str:
    text = json.dumps(snap, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _json(snap: dict) -> dict:
    """The snapshot as it reads back from a JSON column (tuples become lists)."""
    return json.loads(json.dumps(snap, ensure_ascii=False))


def compare(approved: dict, current: dict) -> Change:
    """How the requisition ``current`` differs from what was ``approved``."""
    approved, current = _json(approved), _json(current)
    if approved == current:
        return Change.SAME
    if (
        approved.get("address") != current.get("address")
        or approved.get("payment") != current.get("payment")
        or approved.get("currency") != current.get("currency")
    ):
        return Change.CHANGED
    before, now = approved.get("lines", []), current.get("lines", [])
    if len(before) != len(now):
        return Change.CHANGED
    for old, new in zip(before, now, strict=True):
        if old[:4] != new[:4] or new[4] > old[4]:
            return Change.CHANGED
    return Change.CHEAPER
