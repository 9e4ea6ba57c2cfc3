"""What a company tells its members about requisitions, in their inboxes: a private message
from the company's own account carrying the requisition's card (approvers decide on it right
there), written in the same transaction as the move it tells of.

The company's account is an InfoConnect account the platform speaks for: its username
(``company-<id>``) is one no one can register, its password is unusable, and its display name
is the company's legal name.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from infoconnect.accounts.models import User
from infoconnect.core.money import format_money
from infoconnect.messaging.actions.direct import send_notices
from infoconnect.messaging.models import Message
from infoconnect.procurement.models import Company, Requisition


def company_account(company: Company) -> User:
    """The company's account, made on first use."""
    if company.account_id:
        return company.account
    username = f"company-{company.pk}"
    account = User.objects.filter(username=username).first()
    if account is None:
        try:
            with transaction.atomic():
                account = User(username=username, display_name=company.legal_name[:50])
                account.set_unusable_password()
                account.save()
        except IntegrityError:
            account = User.objects.get(username=username)
    Company.objects.filter(pk=company.pk, account__isnull=True).update(account=account)
    company.account = account
    return account


def tell(requisition: Requisition, user_ids: Iterable[int], body: str) -> list[Message]:
    """One message with the requisition's card to each of ``user_ids`` (once each)."""
    sender = company_account(requisition.company)
    return send_notices(
        sender=sender,
        recipient_ids=list(user_ids),
        body=body,
        attachment_type=Message.Attachment.REQUISITION,
        attachment_id=requisition.pk,
    )


def _who(requisition: Requisition) -> str:
    requester = requisition.requester
    return requester.display_name or f"@{requester.username}"


def approval_requested(requisition: Requisition, user_ids: Iterable[int]) -> None:
    tell(
        requisition,
        user_ids,
        _("%(who)s asks you to approve requisition %(ref)s (%(total)s).")
        % {
            "who": _who(requisition),
            "ref": requisition.reference,
            "total": format_money(requisition.total),
        },
    )


def escalated(requisition: Requisition, new_ids: Iterable[int], earlier_ids: Iterable[int]) -> None:
    tell(
        requisition,
        new_ids,
        _("Requisition %(ref)s waited past its approval deadline and now comes to you too.")
        % {"ref": requisition.reference},
    )
    tell(
        requisition,
        earlier_ids,
        _("Requisition %(ref)s waited past its approval deadline and was escalated.")
        % {"ref": requisition.reference},
    )


def to_requester(requisition: Requisition, body: str) -> None:
    tell(requisition, [requisition.requester_id], body)


def ordered(requisition: Requisition, orders: int) -> None:
    to_requester(
        requisition,
        _("Requisition %(ref)s is approved: %(count)d orders were placed.")
        % {"ref": requisition.reference, "count": orders},
    )


def rejected(requisition: Requisition, reason: str) -> None:
    to_requester(
        requisition,
        _("Requisition %(ref)s was rejected: %(reason)s")
        % {"ref": requisition.reference, "reason": reason},
    )


def returned(requisition: Requisition, reason: str) -> None:
    to_requester(
        requisition,
        _("Requisition %(ref)s was sent back for changes: %(reason)s")
        % {"ref": requisition.reference, "reason": reason},
    )


def back_to_approval(requisition: Requisition, why: str) -> None:
    to_requester(
        requisition,
        _("Requisition %(ref)s went back to approval: %(why)s")
        % {"ref": requisition.reference, "why": why},
    )


def expired(requisition: Requisition) -> None:
    to_requester(
        requisition,
        _("Requisition %(ref)s was not approved in time: its stock hold ended and it expired.")
        % {"ref": requisition.reference},
    )


def placing_failed(requisition: Requisition, finance_ids: Iterable[int]) -> None:
    body = _(
        "Requisition %(ref)s is approved, but the company wallet cannot pay %(total)s yet. "
        "Top it up, then place the orders."
    ) % {"ref": requisition.reference, "total": format_money(requisition.total)}
    tell(requisition, [requisition.requester_id, *finance_ids], body)
