from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "infoconnect.procurement"
    label = "procurement"
    verbose_name = _("Company purchasing")

    def ready(self) -> None:
        # Views need the app registry, so they load here rather than at import (Django's way).
        from infoconnect.core.context_processors import register_header_provider
        from infoconnect.messaging.attachments import register_card
        from infoconnect.messaging.models import Message
        from infoconnect.procurement.inbox_cards import requisition_cards
        from infoconnect.procurement.quote_cards import quote_cards
        from infoconnect.procurement.receivers import (
            release_budget_for_order,
            settle_terms_for_order,
        )
        from infoconnect.procurement.views.companies import companies_header
        from infoconnect.procurement.views.quotes import quote_header
        from infoconnect.procurement.views.requisitions import requisition_header
        from infoconnect.shop.signals import company_order_closed, company_order_moved

        register_header_provider(companies_header)
        register_header_provider(requisition_header)
        company_order_closed.connect(release_budget_for_order, dispatch_uid="procurement_budget")
        register_card(Message.Attachment.REQUISITION, requisition_cards)
        register_card(Message.Attachment.QUOTE, quote_cards)
        register_header_provider(quote_header)
        company_order_moved.connect(settle_terms_for_order, dispatch_uid="procurement_terms")
