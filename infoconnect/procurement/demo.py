"""The company-purchasing demo data: Huaxia Design, a verified company with its administrator,
a buyer and an approver, this month's budgets and a requisition waiting for approval.

The company is registered, given its licence and verified through the actions (the operator
verifies it, so its review trail shows who); members and roles are added by its administrator.
Rows are found again by natural keys (usernames, the company's code, a membership, a role), so
seeding twice adds nothing.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from infoconnect.accounts.models import User
from infoconnect.core.management.demo import OPERATOR_USERNAME
from infoconnect.invoicing.demo import seed_invoice
from infoconnect.procurement.actions import companies as company_actions
from infoconnect.procurement.actions import members as member_actions
from infoconnect.procurement.demo_last_month import seed_last_months_order
from infoconnect.procurement.demo_organisation import seed_organisation
from infoconnect.procurement.demo_pricing import seed_price_list
from infoconnect.procurement.demo_purchasing import seed_purchasing
from infoconnect.procurement.demo_quotes import seed_quote
from infoconnect.procurement.demo_rules import seed_rules
from infoconnect.procurement.demo_statements import seed_statement
from infoconnect.procurement.demo_terms import seed_terms
from infoconnect.procurement.lifecycle import companies
from infoconnect.procurement.models import Company, Membership, Role, RoleAssignment
from infoconnect.shop.models import Sku
from infoconnect.wallet.demo_company import seed_company_wallet

if TYPE_CHECKING:
    from infoconnect.core.management.demo import DemoContext

COMPANY_NAME = "华夏设计有限公司"  # Huaxia Design Co.
COMPANY_USCC = "91110108551385082Q"
ADMIN = "huaxia_admin"
# The merchant that gives Huaxia contract prices, Net 30 terms and VAT invoices.
TERMS_MERCHANT = "bytegadgets"

# username, display name, the role they hold over the whole company
MEMBERS = [
    (ADMIN, "Zhao Min (Huaxia admin)", Role.ADMIN),
    ("huaxia_buyer", "Qian Lei (Huaxia buyer)", Role.BUYER),
    ("huaxia_approver", "Sun Yue (Huaxia approver)", Role.APPROVER),
    ("huaxia_finance", "Li Na (Huaxia finance)", Role.FINANCE),
]
# Printed by seed_demo and serve beside the other demo logins.
LOGINS = [
    ("Company admin, Huaxia Design", ADMIN),
    ("Company buyer, Huaxia Design", "huaxia_buyer"),
    ("Company approver, Huaxia Design", "huaxia_approver"),
    ("Company finance, Huaxia Design", "huaxia_finance"),
]


def seed_accounts(context: DemoContext) -> None:
    for username, display_name, _role in MEMBERS:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                email=f"{username}@example.com",
                password=context.password,
                display_name=display_name,
                region="BJ",
            )
            context.log(f"created person {username}")
        context.users[username] = user


def licence_image() -> SimpleUploadedFile:
    """A stand-in for a scanned business licence."""
    image = Image.new("RGB", (800, 560), "#f4efe2")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 780, 540), outline="#b22222", width=8)
    draw.text((60, 60), "BUSINESS LICENCE (DEMO)", fill="#b22222")
    draw.text((60, 120), f"USCC {COMPANY_USCC}", fill="#1d2330")
    draw.text((60, 160), "Huaxia Design Co., Ltd.", fill="#1d2330")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("licence.png", buffer.getvalue(), content_type="image/png")


def seed_company(context: DemoContext) -> Company:
    admin = context.users[ADMIN]
    company = Company.objects.filter(uscc=COMPANY_USCC).first()
    if company is None:
        company = company_actions.register_company(
            user=admin, legal_name=COMPANY_NAME, uscc=COMPANY_USCC
        )
        context.log(f"registered company {COMPANY_NAME}")
    if not company.licence:
        company = company_actions.set_licence(
            user=admin, company_id=company.pk, upload=licence_image()
        )
    # Only a company still pending: one the operator suspended stays suspended.
    if companies.allows(company, "verify"):
        company = company_actions.verify_company(
            operator=context.users[OPERATOR_USERNAME],
            company_id=company.pk,
            reason="Demo company: licence and code checked.",
        )
    return company


def seed_members(context: DemoContext, company: Company) -> None:
    admin = context.users[ADMIN]
    for username, _name, role in MEMBERS:
        user = context.users[username]
        membership = Membership.objects.filter(
            company=company, user=user, ended_at__isnull=True
        ).first()
        if membership is None:
            # Seeded together, they need no message telling them.
            membership = member_actions.add_member(
                admin_user=admin, company_id=company.pk, username=username, tell=False
            )
        held = RoleAssignment.objects.filter(
            membership=membership, role=role, department__isnull=True
        )
        if not held.exists():
            member_actions.grant_role(
                admin_user=admin, company_id=company.pk, member_user_id=user.pk, role=role
            )


def seed(context: DemoContext) -> None:
    seed_accounts(context)
    company = seed_company(context)
    seed_members(context, company)
    seed_organisation(company)
    seed_company_wallet(company=company, user=context.users[ADMIN])
    seed_rules(company)
    seed_purchasing(company)
    seed_terms_with(context, company)


def seed_terms_with(context: DemoContext, company: Company) -> None:
    """Byte Gadgets' terms for Huaxia: a price list, Net 30, an accepted quote (its
    requisition awaits approval), an issued invoice, an order on terms received last month
    and last month's statement, which has that order's line and its amount due."""
    merchant = User.objects.get(username=TERMS_MERCHANT)
    seed_price_list(company, merchant)
    seed_terms(company, merchant)
    skus = list(
        Sku.objects.filter(product__merchant=merchant, is_active=True, product__status="active")
        .select_related("product")
        .order_by("pk")[:2]
    )
    seed_quote(company, context.users["huaxia_buyer"], merchant, skus)
    seed_invoice(
        company=company,
        finance=context.users["huaxia_finance"],
        buyer=context.users["huaxia_buyer"],
        merchant=merchant,
    )
    seed_last_months_order(company=company, buyer=context.users["huaxia_buyer"], merchant=merchant)
    seed_statement(company=company, merchant_username=TERMS_MERCHANT)
