"""The merchant's answers to a quote (a question, a quote, a decline) and its expiry; the
buyer's side and the revisions they all write are in ``quotes.py``."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.accounts.gates import require_verified_merchant
from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.money import format_money
from infoconnect.procurement.actions.quotes import (
    Kind,
    clean_note,
    clean_price,
    clean_valid_until,
    copy_lines,
    move_quote,
    post,
    who,
    write_revision,
)
from infoconnect.procurement.errors import QuoteError
from infoconnect.procurement.lifecycle import quotes
from infoconnect.procurement.models import Quote
from infoconnect.procurement.quote_reads import latest_revision, merchant_quote

# --- the merchant's side -----------------------------------------------------------------


@transaction.atomic
def ask_info(*, user: User, quote_id: object, note: object) -> Quote:
    """The merchant asks the buyer for more information before quoting."""
    now = timezone.now()
    quote = merchant_quote(user=user, quote_id=quote_id, lock=True)
    require_verified_merchant(user)
    note = clean_note(note, required=True)
    last = latest_revision(quote)
    move_quote(quote, "ask_info", now=now, new_revision=True)
    revision = write_revision(quote, kind=Kind.INFO, author=user, note=note, now=now,
                         lines=copy_lines(last, prices=False))  # fmt: skip
    post(quote, revision, from_buyer=False,
         body=_("%(who)s asks: %(note)s") % {"who": who(user), "note": note})  # fmt: skip
    return quote


@transaction.atomic
def send_quote(
    *,
    user: User,
    quote_id: object,
    prices: dict[int, object],
    valid_until: object,
    note: object = "",
) -> Quote:
    """The merchant's quote: a unit price for every line (by position), valid through
    ``valid_until``; the buyer may accept it until that day ends."""
    now = timezone.now()
    quote = merchant_quote(user=user, quote_id=quote_id, lock=True)
    require_verified_merchant(user)
    note = clean_note(note)
    valid = clean_valid_until(valid_until, today=timezone.localdate(now))
    if not quotes.allows(quote, "quote"):
        raise DomainError(QuoteError.QUOTE_INVALID_STATE)
    lines = copy_lines(latest_revision(quote), prices=True)
    if set(prices) != {line.position for line in lines}:
        raise DomainError(QuoteError.PRICE_INVALID)
    for line in lines:
        line.unit_price = clean_price(prices[line.position])
    move_quote(quote, "quote", now=now, new_revision=True, valid_until=valid)
    revision = write_revision(quote, kind=Kind.QUOTE, author=user, note=note, now=now,
                         lines=lines, valid_until=valid)  # fmt: skip
    body = _("%(who)s quotes %(total)s, valid until %(date)s.") % {
        "who": who(user),
        "total": format_money(revision.total, quote.currency),
        "date": valid.isoformat(),
    }
    post(quote, revision, from_buyer=False, body=body)
    return quote


@transaction.atomic
def decline_quote(*, user: User, quote_id: object, note: object = "") -> Quote:
    """The merchant will not quote (or stands by no offer): the quote is closed."""
    now = timezone.now()
    quote = merchant_quote(user=user, quote_id=quote_id, lock=True)
    require_verified_merchant(user)
    note = clean_note(note)
    move_quote(quote, "decline", now=now, new_revision=False, closed_at=now)
    body = _("%(who)s declined the quote.") % {"who": who(user)}
    post(quote, latest_revision(quote), from_buyer=False, body=f"{body} {note}".strip())
    return quote


# --- the platform's ----------------------------------------------------------------------


@transaction.atomic
def expire_quote(*, quote_id: int, now: datetime | None = None) -> bool:
    """The quote's last valid day ended unaccepted (the queued task and the sweep)."""
    now = now or timezone.now()
    quote = (
        Quote.objects.select_for_update(of=("self",))
        .select_related("company", "merchant")
        .filter(
            pk=quote_id,
            state__in=quotes.sources("expire"),
            valid_until__lt=timezone.localdate(now),
        )
        .first()
    )
    if quote is None:
        return False
    move_quote(quote, "expire", now=now, new_revision=False, closed_at=now)
    body = _("The quote expired: it was valid until %(date)s.") % {
        "date": quote.valid_until.isoformat()
    }
    # Told from the merchant's side: it is the merchant's offer that lapsed.
    post(quote, latest_revision(quote), from_buyer=False, body=body)
    return True
