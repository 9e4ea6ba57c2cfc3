"""Every router of the API, mounted on one NinjaAPI. Each module owns its paths."""

from ninja import NinjaAPI

from infoconnect.api import (
    accounts,
    announcements,
    bookmarks,
    companies,
    company_budgets,
    company_departments,
    company_rules,
    company_wallet,
    conversations,
    coupons,
    credentials,
    filters,
    follow_requests,
    instance,
    invoices,
    lists,
    media,
    messaging,
    notifications,
    oauth,
    payment_terms,
    polls,
    price_lists,
    quotes,
    requisitions,
    reviews,
    scheduled,
    shop,
    social,
    statements,
    status_edits,
    tags,
    trends,
    wallet,
)


def register(api: NinjaAPI) -> None:
    # Before accounts: its /v1/accounts/{id} would take "search" and "update_credentials".
    api.add_router("/", credentials.router)
    api.add_router("/", lists.router)
    api.add_router("/", bookmarks.router)
    api.add_router("/", follow_requests.router)
    api.add_router("/", social.router)
    api.add_router("/", status_edits.router)
    api.add_router("/", scheduled.router)
    api.add_router("/", polls.router)
    api.add_router("/", accounts.router)
    api.add_router("/", messaging.router)
    api.add_router("/", conversations.router)
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
    api.add_router("/", media.router)
    api.add_router("/", instance.router)
    api.add_router("/", filters.router)
    api.add_router("/", notifications.router)
    api.add_router("/", tags.router)
    api.add_router("/", trends.router)
    api.add_router("/", announcements.router)
    api.add_router("/", oauth.router)
