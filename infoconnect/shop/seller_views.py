"""The seller centre (卖家中心): a merchant's overview, each figure leading to its page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from infoconnect.core.errors import DomainError
from infoconnect.core.views import render_domain_error
from infoconnect.messaging import selectors as messaging_selectors
from infoconnect.shop import seller_selectors
from infoconnect.shop.actions import require_merchant
from infoconnect.wallet import selectors as wallet_selectors
from infoconnect.wallet.models import AccountKind


@login_required
@require_GET
def seller_centre(request: HttpRequest) -> HttpResponse:
    try:
        require_merchant(request.user)
    except DomainError as error:
        return render_domain_error(request, error)
    merchant_id = request.user.pk
    return render(
        request,
        "shop/seller_centre.html",
        {
            "today_date": timezone.localdate(),
            "today": seller_selectors.sales_today(merchant_id=merchant_id),
            "to_ship": seller_selectors.orders_to_ship_count(merchant_id=merchant_id),
            "refunds_waiting": seller_selectors.refunds_waiting_count(merchant_id=merchant_id),
            "balance": wallet_selectors.balance_of(user_id=merchant_id, kind=AccountKind.MERCHANT),
            "campaigns_running": messaging_selectors.running_campaign_count(
                merchant_id=merchant_id
            ),
        },
    )
