from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "infoconnect.invoicing"
    label = "invoicing"

    def ready(self) -> None:
        # Receivers import models, so they connect here (Django's way).
        from infoconnect.invoicing.receivers import invoice_company_order
        from infoconnect.shop.signals import company_order_moved

        company_order_moved.connect(invoice_company_order, dispatch_uid="invoicing_orders")
