"""Shop test fixtures: a verified merchant with a product on sale, a buyer with an address
and a funded wallet."""

import io

import pytest
from PIL import Image

from infoconnect.shop import actions


def png_bytes(size=(600, 400), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def fund(user, amount: int) -> None:
    """Top up a wallet the way a confirmed provider payment does."""
    from infoconnect.wallet import actions as wallet_actions

    payment = wallet_actions.start_topup(user_id=user.pk, amount=amount)
    wallet_actions.complete_topup(payment_id=payment.pk)


def wallet_balance(user) -> int:
    from infoconnect.wallet.selectors import balance_of

    return balance_of(user_id=user.pk)


def merchant_balance(user) -> int:
    from infoconnect.wallet.selectors import balance_of

    return balance_of(user_id=user.pk, kind="merchant")


def ledger_snapshot() -> list:
    from infoconnect.wallet.models import LedgerAccount, LedgerEntry, LedgerTransaction

    return [
        sorted(LedgerAccount.objects.values_list("id", "balance")),
        LedgerEntry.objects.count(),
        LedgerTransaction.objects.count(),
    ]


def make_product(merchant, *, title="Silk scarf", price=12_900, stock=5, max_per_order=3, **attrs):
    product = actions.create_product(
        merchant=merchant,
        title=title,
        description="Hand-rolled edges.",
        max_per_order=max_per_order,
    )
    sku = actions.add_sku(
        merchant=merchant,
        product_id=product.pk,
        attributes=attrs or {"colour": "red"},
        price=price,
        stock=stock,
    )
    actions.publish_product(merchant=merchant, product_id=product.pk)
    product.refresh_from_db()
    return product, sku


def make_address(person, **overrides):
    fields = {
        "recipient_name": "Li Lei",
        "province": "SH",
        "city": "Shanghai",
        "district": "Pudong",
        "street": "88 Century Avenue",
        "mobile": "13812345678",
    }
    fields.update(overrides)
    return actions.add_address(person=person, **fields)


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


@pytest.fixture
def buyer(make_user):
    return make_user("alice")


@pytest.fixture
def scarf(merchant):
    return make_product(merchant)


@pytest.fixture
def address(buyer):
    return make_address(buyer)


@pytest.fixture
def credited_campaigns(monkeypatch):
    """Accept every campaign id as proven, for tests about carrying it to the order (the proof
    itself, that the buyer received the campaign, is the messaging app's to test)."""
    try:
        from infoconnect.shop import attribution
    except ImportError:
        return
    monkeypatch.setattr(attribution, "_checks", [lambda **kwargs: True])
