"""Reminders that an amount on terms falls due: a private message from the company's account
to each of its finance members, three days before and on the due date.

Each reminder is a row moved once from pending to sent in the transaction that writes the
messages, so the task queued for its time and the sweep behind it never send it twice. A
reminder whose receivable was settled first is dropped instead.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from infoconnect.accounts.models import User
from infoconnect.core.money import format_money
from infoconnect.messaging.actions.direct import send_notices
from infoconnect.procurement.actions.notices import company_account
from infoconnect.procurement.approvers import role_holders
from infoconnect.procurement.lifecycle import terms_reminders
from infoconnect.procurement.models import Receivable, Role, TermsReminder


def shop_name(merchant: User) -> str:
    profile = getattr(merchant, "merchant_profile", None)
    return profile.shop_name if profile else merchant.display_name or f"@{merchant.username}"


def reminder_text(reminder: TermsReminder) -> str:
    receivable = reminder.receivable
    merchant = shop_name(receivable.merchant)
    values = {
        "amount": format_money(receivable.open_amount),
        "merchant": merchant,
        "order": receivable.order_id,
        "day": date_format(receivable.due_on, "DATE_FORMAT"),
    }
    if reminder.kind == TermsReminder.Kind.BEFORE:
        text = _("%(amount)s for order #%(order)s from %(merchant)s falls due on %(day)s.")
    else:
        text = _("%(amount)s for order #%(order)s from %(merchant)s is due today (%(day)s).")
    return text % values + " " + _("Pay it on the company's payables page.")


@transaction.atomic
def send_reminder(*, termsreminder_id: int, now: datetime | None = None) -> bool:
    """Send the reminder if it is due and still pending; False when there was nothing to do."""
    now = now or timezone.now()
    reminder = (
        TermsReminder.objects.select_for_update(of=("self",))
        .select_related("receivable__company", "receivable__merchant__merchant_profile")
        .filter(pk=termsreminder_id, state=TermsReminder.State.PENDING, send_at__lte=now)
        .first()
    )
    if reminder is None:
        return False
    receivable = reminder.receivable
    if receivable.state != Receivable.State.DUE or receivable.open_amount == 0:
        return terms_reminders.move(reminder, "drop", strict=False, now=now)
    if not terms_reminders.move(reminder, "send", strict=False, now=now, sent_at=now):
        return False
    company = receivable.company
    send_notices(
        sender=company_account(company),
        recipient_ids=sorted(role_holders(company.pk, Role.FINANCE, None)),
        body=reminder_text(reminder),
    )
    return True
