"""A merchant's payout accounts: where its payouts through Alipay or WeChat Pay go.

The provider pays a named account and checks the real name against it (Alipay's
ALIPAY_LOGON_ID with ``payee_info.name``; WeChat Pay's openid with ``user_name``), so both are
checked here before they are kept: a wrong one would only be refused by the provider after
the money left the balance. Each setting is kept as a PayoutAccountChange, with who made it.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from infoconnect.accounts import selectors as accounts_selectors
from infoconnect.accounts.gates import require_verified_merchant
from infoconnect.core.errors import DomainError
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import PayoutAccount, PayoutAccountChange, PayoutProvider

# A mainland mobile number, as Alipay accounts opened with one are logged in with.
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
# An openid: WeChat's are 28 characters of letters, digits, - and _; others have been longer.
OPENID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# A real name as an ID card has it: letters of any script, with the middle dot of
# transliterated names (·) or spaces between parts; no digits, no punctuation.
REAL_NAME = re.compile(r"^[^\W\d_]+(?:[ ·・.][^\W\d_]+)*$")
REAL_NAME_LENGTH = (2, 50)
IDENTITY_MAX = 100


def clean_identity(provider: str, value: str) -> str:
    """The account as the provider names it; raises ValueError with what to fix."""
    value = (value or "").strip()
    if provider == PayoutProvider.ALIPAY:
        if MOBILE.match(value):
            return value
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError(
                gettext("Enter the e-mail address or mobile number you log in to Alipay with.")
            ) from None
        if len(value) > IDENTITY_MAX:
            raise ValueError(gettext("An Alipay account has at most 100 characters."))
        return value.lower()
    if provider == PayoutProvider.WECHATPAY:
        if not OPENID.match(value):
            raise ValueError(
                gettext("Enter your WeChat openid for this site: 20 to 64 letters, digits, - or _.")
            )
        return value
    raise ValueError(gettext("Choose Alipay or WeChat Pay."))


def clean_real_name(value: str) -> str:
    """The real name, with its spaces tidied; raises ValueError with what to fix."""
    value = " ".join((value or "").split())
    low, high = REAL_NAME_LENGTH
    if not low <= len(value) <= high or not REAL_NAME.match(value):
        raise ValueError(
            gettext(
                "Enter the real name the account is registered to, as on the ID card: "
                "2 to 50 letters, no digits."
            )
        )
    return value


def payout_account_errors(*, provider: str, identity: str, real_name: str) -> dict:
    """Each field's problem, by field name; empty when both are valid."""
    errors = {}
    for field, clean in (
        ("identity", lambda: clean_identity(provider, identity)),
        ("real_name", lambda: clean_real_name(real_name)),
    ):
        try:
            clean()
        except ValueError as problem:
            errors[field] = [str(problem)]
    return errors


@transaction.atomic
def set_payout_account(
    *, merchant_id: int, provider: str, identity: str, real_name: str, changed_by_id: int
) -> PayoutAccount:
    """Keep where ``provider`` pays the merchant out; payouts requested from now on go there."""
    if not accounts_selectors.is_merchant(user_id=merchant_id):
        raise DomainError(WalletError.NOT_A_MERCHANT)
    require_verified_merchant(merchant_id)
    if provider not in PayoutProvider.values:
        raise DomainError(
            WalletError.INVALID_PAYOUT_ACCOUNT,
            fields={"provider": [gettext("Choose Alipay or WeChat Pay.")]},
        )
    errors = payout_account_errors(provider=provider, identity=identity, real_name=real_name)
    if errors:
        raise DomainError(WalletError.INVALID_PAYOUT_ACCOUNT, fields=errors)
    identity, real_name = clean_identity(provider, identity), clean_real_name(real_name)
    account, _ = PayoutAccount.objects.update_or_create(
        merchant_id=merchant_id,
        provider=provider,
        defaults={"identity": identity, "real_name": real_name, "updated_at": timezone.now()},
    )
    PayoutAccountChange.objects.create(
        merchant_id=merchant_id,
        provider=provider,
        identity=identity,
        real_name=real_name,
        changed_by_id=changed_by_id,
    )
    return account
