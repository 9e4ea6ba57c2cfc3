from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "infoconnect.invoicing"
    label = "invoicing"
