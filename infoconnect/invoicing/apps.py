from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "infoconnect.invoicing"
    label = "invoicing"
    verbose_name = _("VAT invoicing")

    def ready(self) -> None:
        # Receivers import models, so they connect here (Django's way).
        from infoconnect.invoicing.receivers import invoice_company_order
        from infoconnect.shop.signals import company_order_moved

        company_order_moved.connect(invoice_company_order, dispatch_uid="invoicing_orders")
