"""Every page of the operator's admin opens, and names accounts by their name and username,
never as "User object (3)" or a bare id: each registered list, and the page of one of its rows,
on the demo platform with a row of every kind."""

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from infoconnect.accounts import actions as account_actions
from infoconnect.accounts.models import AccessToken, User
from infoconnect.core.models import PlatformSettings
from infoconnect.invoicing.models import InvoicingSetting
from infoconnect.procurement.models import Company
from infoconnect.shop.models import Order, RefundRequest, Review
from infoconnect.social.models import Announcement, CustomEmoji
from infoconnect.wallet import actions as wallet_actions
from infoconnect.wallet.models import (
    DepositRequirement,
    HeldTransfer,
    Payment,
    Payout,
    PayoutAccount,
    ProviderNotification,
)

pytestmark = pytest.mark.django_db

# Other projects' admins: their lists must open, their rows are tested where there are any.
THIRD_PARTY = ("auth", "axes", "django_tasks_database", "oauth2_provider")


@pytest.fixture
def platform():
    """The demo, and a row of each kind the demo does not make."""
    call_command("seed_demo", stdout=None)
    PlatformSettings.current()
    Group.objects.get_or_create(name="Support")
    lihua = User.objects.get(username="lihua")
    shop = User.objects.get(username="greentea_shop")
    completed = Order.objects.filter(buyer=lihua, merchant=shop, state="completed").first()
    AccessToken.objects.get_or_create(
        user=lihua, name="Phanpy", defaults={"key_hash": "0" * 64, "hint": "ic_abcd"}
    )
    CustomEmoji.objects.get_or_create(shortcode="tea", defaults={"image": "emoji/tea.png"})
    Announcement.objects.get_or_create(text="Maintenance tonight", defaults={"published": True})
    if not Review.objects.exists():
        line = completed.lines.first()
        Review.objects.create(
            line=line, order=completed, product=line.product, buyer=lihua, rating=5, text="Good"
        )
    if not RefundRequest.objects.exists():
        RefundRequest.objects.create(order=completed, reason="Broken lid", state="disputed")
    if not PayoutAccount.objects.exists():
        wallet_actions.set_payout_account(
            merchant_id=shop.pk,
            provider="alipay",
            identity="13800138000",
            real_name="张三",
            changed_by_id=shop.pk,
        )
    if not Payout.objects.exists():
        # As the ledger records one; the demo's sales are still within the refund window.
        Payout.objects.create(
            merchant_id=shop.pk, amount=1_000, provider="alipay", payee_name="张三"
        )
    ProviderNotification.objects.get_or_create(
        provider="sandbox", notification_id="n-1", defaults={"event": "paid", "object_ref": "p1"}
    )
    HeldTransfer.objects.get_or_create(
        provider="sandbox",
        notification_id="n-2",
        defaults={"code": "ZZZZ", "amount": 100, "why": "unknown_code"},
    )
    DepositRequirement.objects.get_or_create(merchant=shop, defaults={"minimum": 100_000})
    InvoicingSetting.objects.get_or_create(
        merchant=shop, company=Company.objects.get(), defaults={"mode": "monthly"}
    )
    return {"lihua": lihua, "shop": shop, "since": timezone.now() - timedelta(days=1)}


def _pages():
    for model in admin.site._registry:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        row = model._default_manager.order_by("pk").first()
        change = (
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
            if row is not None
            else None
        )
        yield opts, changelist, change


def test_every_admin_page_opens_and_names_accounts(platform):
    client = Client()
    client.force_login(account_actions.ensure_operator(username="ops", password="ops-pass-123"))
    empty, broken, unnamed = [], [], []
    for opts, changelist, change in _pages():
        for url in (changelist, change):
            if url is None:
                continue
            page = client.get(url)
            if page.status_code != 200:
                broken.append((url, page.status_code))
                continue
            body = page.content.decode()
            unnamed += [(url, hit) for hit in re.findall(r"[\w ]+ object \(\d+\)", body)]
        if change is None and opts.app_label not in THIRD_PARTY:
            empty.append(opts.label)
    assert broken == []
    assert unnamed == [], "\n".join(f"{u} {h}" for u, h in unnamed)
    # Every one of ours had a row to open.
    assert empty == []


def test_lists_name_the_people_behind_the_ledgers_ids(platform):
    client = Client()
    client.force_login(account_actions.ensure_operator(username="ops", password="ops-pass-123"))
    shop = platform["shop"]
    name = str(shop)
    assert name == f"{shop.display_name} (@greentea_shop)"
    for url in (
        reverse("admin:wallet_payout_changelist"),
        reverse("admin:wallet_payoutaccount_changelist"),
        reverse("admin:wallet_payoutaccountchange_changelist"),
        reverse("admin:wallet_ledgertransaction_changelist") + f"?q={shop.pk}",
        reverse("admin:wallet_ledgeraccount_changelist") + f"?q={shop.pk}",
        reverse("admin:wallet_ledgerentry_changelist") + f"?q={shop.pk}",
        reverse("admin:shop_order_changelist"),
        reverse("admin:messaging_enrolment_changelist"),
    ):
        body = client.get(url).content.decode()
        assert name in body, url
    lihua = platform["lihua"]
    body = client.get(reverse("admin:wallet_payment_changelist")).content.decode()
    assert str(lihua) in body
    payment = Payment.objects.filter(user_id=lihua.pk).first()
    page = client.get(reverse("admin:wallet_payment_change", args=[payment.pk]))
    assert str(lihua) in page.content.decode()


# Names that read the same in Chinese.
SAME_IN_CHINESE = {"SKU", "SKUs", "SKU ID", "API", "BlurHash", "ID"}


def _untranslated(texts) -> list[str]:
    """The texts whose Chinese is still their English."""
    missing = []
    for text in texts:
        with translation.override("en"):
            english = str(text)
        with translation.override("zh-hans"):
            chinese = str(text)
        if chinese == english and english not in SAME_IN_CHINESE:
            missing.append(english)
    return missing


def test_every_model_and_field_of_ours_has_a_chinese_name():
    texts = []
    for config in apps.get_app_configs():
        if not config.name.startswith("infoconnect."):
            continue
        texts.append(config.verbose_name)
        for model in config.get_models():
            opts = model._meta
            texts += [opts.verbose_name, opts.verbose_name_plural]
            texts += [
                field.verbose_name
                for field in opts.get_fields()
                if field.concrete and not field.auto_created
            ]
    assert _untranslated(texts) == []


def test_the_admin_speaks_chinese_in_its_columns_filters_and_actions():
    """What the operator reads around the rows: column headers, filters and actions."""
    texts = []
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("infoconnect."):
            continue
        for name in model_admin.list_display:
            attr = getattr(model_admin, name, None)
            if hasattr(attr, "short_description"):
                texts.append(attr.short_description)
        for list_filter in model_admin.list_filter:
            if isinstance(list_filter, type):
                texts.append(list_filter.title)
        texts += [
            description
            for _func, _name, description in model_admin._get_base_actions()
            if _name != "delete_selected"
        ]
        for fieldset_name, _options in model_admin.fieldsets or ():
            if fieldset_name:
                texts.append(fieldset_name)
    assert _untranslated(texts) == []
