"""Every router of the API, mounted on one NinjaAPI. Each module owns its paths."""

from ninja import NinjaAPI

from infoconnect.api import (
    accounts,
    companies,
    company_budgets,
    company_departments,
    company_rules,
    company_wallet,
    coupons,
    invoices,
    messaging,
    payment_terms,
    price_lists,
    quotes,
    requisitions,
    reviews,
    shop,
    social,
    statements,
    wallet,
)


def register(api: NinjaAPI) -> None:
    api.add_router("/", social.router)
    api.add_router("/", accounts.router)
    api.add_router("/", messaging.router)
    api.add_router("/", shop.router)
    api.add_router("/", reviews.router)
    api.add_router("/", wallet.router)
    api.add_router("/", companies.router)
    api.add_router("/", company_departments.router)
    api.add_router("/", company_wallet.router)
    api.add_router("/", company_rules.router)
    api.add_router("/", company_budgets.router)
    api.add_router("/", requisitions.router)
    api.add_router("/", price_lists.router)
    api.add_router("/", quotes.router)
    api.add_router("/", payment_terms.router)
    api.add_router("/", invoices.router)
    api.add_router("/", statements.router)
    api.add_router("/", coupons.router)
