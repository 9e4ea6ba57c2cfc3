"""Reads of quotes, and who may see which (reads only).

A quote is seen by the company's current members who buy for it (the buyer role, anywhere in
the company) and by the merchant asked. Anyone else, another company's member or another
merchant included, is told the quote does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.db.models import Prefetch, QuerySet

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.procurement.errors import QuoteError
from infoconnect.procurement.models import (
    Department,
    Membership,
    Quote,
    QuoteLine,
    QuoteRevision,
    Role,
    RoleAssignment,
    ShipToAddress,
)
from infoconnect.procurement.selectors import ancestor_ids, current_membership

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

Side = Literal["buyer", "merchant"]
LIST_LIMIT = 200


def quote_buyer(*, user: User, company_id: object) -> Membership | None:
    """The user's current membership of the company, if it holds the buyer role somewhere."""
    membership = current_membership(user=user, company_id=company_id)
    if membership is None:
        return None
    if not RoleAssignment.objects.filter(membership=membership, role=Role.BUYER).exists():
        return None
    return membership


def _rows(lock: bool) -> QuerySet[Quote]:
    rows = Quote.objects.select_related("company", "company__account", "merchant", "requester")
    return rows.select_for_update(of=("self",)) if lock else rows


def side_of(user: User, quote: Quote) -> Side | None:
    """Which side of the quote the user is on, or None when they may not see it."""
    if not user.is_authenticated:
        return None
    if quote.merchant_id == user.pk:
        return "merchant"
    if quote_buyer(user=user, company_id=quote.company_id) is not None:
        return "buyer"
    return None


def company_quote(
    *, user: User, quote_id: object, company_id: object = None, lock: bool = False
) -> tuple[Quote, Membership]:
    """The quote and the buyer's membership of its company (in ``company_id`` when given)."""
    pk = parse_id(quote_id)
    quote = _rows(lock).filter(pk=pk).first() if pk else None
    if quote is None or (company_id is not None and quote.company_id != parse_id(company_id)):
        raise DomainError(QuoteError.QUOTE_NOT_FOUND)
    membership = quote_buyer(user=user, company_id=quote.company_id)
    if membership is None:
        raise DomainError(QuoteError.QUOTE_NOT_FOUND)
    return quote, membership


def merchant_quote(*, user: User, quote_id: object, lock: bool = False) -> Quote:
    """A quote the user was asked for, as its merchant."""
    pk = parse_id(quote_id)
    quote = _rows(lock).filter(pk=pk, merchant_id=user.pk).first() if pk else None
    if quote is None:
        raise DomainError(QuoteError.QUOTE_NOT_FOUND)
    return quote


def visible_quote(*, user: User, quote_id: object) -> tuple[Quote, Side]:
    """The quote from either side (the API's reads)."""
    pk = parse_id(quote_id)
    quote = _rows(False).filter(pk=pk).first() if pk else None
    side = side_of(user, quote) if quote is not None else None
    if side is None:
        raise DomainError(QuoteError.QUOTE_NOT_FOUND)
    return quote, side


def revisions_of(quote: Quote) -> list[QuoteRevision]:
    """Every revision, oldest first, with its lines and their SKUs."""
    return list(
        QuoteRevision.objects.filter(quote=quote)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=QuoteLine.objects.select_related("sku", "sku__product").order_by(
                    "position"
                ),
            )
        )
        .order_by("number")
    )


def latest_revision(quote: Quote) -> QuoteRevision:
    return (
        QuoteRevision.objects.prefetch_related("lines")
        .select_related("author")
        .get(quote=quote, number=quote.revision)
    )


def company_quote_rows(*, membership: Membership) -> QuerySet[Quote]:
    return Quote.objects.filter(company_id=membership.company_id).select_related(
        "company", "merchant", "requester"
    )


def merchant_quote_rows(*, merchant: User) -> QuerySet[Quote]:
    return Quote.objects.filter(merchant_id=merchant.pk).select_related(
        "company", "merchant", "requester"
    )


def company_quotes(*, membership: Membership) -> list[Quote]:
    return list(company_quote_rows(membership=membership).order_by("-id")[:LIST_LIMIT])


def merchant_quotes(*, merchant: User) -> list[Quote]:
    return list(merchant_quote_rows(merchant=merchant).order_by("-id")[:LIST_LIMIT])


def accept_choices(*, membership: Membership) -> list[tuple[Department, list[ShipToAddress]]]:
    """The departments the member buys for, each with the addresses its requisition may ship
    to (its own and its ancestors'): what accepting a quote asks for."""
    scopes = set(
        RoleAssignment.objects.filter(membership=membership, role=Role.BUYER).values_list(
            "department_id", flat=True
        )
    )
    departments = Department.objects.filter(company_id=membership.company_id).order_by("path")
    if None not in scopes:
        covered = [d for d in departments if set(ancestor_ids(d)) & scopes]
    else:
        covered = list(departments)
    wanted = {pk for d in covered for pk in ancestor_ids(d)}
    addresses: dict[int, list[ShipToAddress]] = {}
    for address in ShipToAddress.objects.filter(department_id__in=wanted).order_by("pk"):
        addresses.setdefault(address.department_id, []).append(address)
    return [(d, [a for pk in ancestor_ids(d) for a in addresses.get(pk, [])]) for d in covered]
