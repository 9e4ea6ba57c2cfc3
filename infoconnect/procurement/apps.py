from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "infoconnect.procurement"
    label = "procurement"

    def ready(self) -> None:
        # Views need the app registry, so they load here rather than at import (Django's way).
        from infoconnect.core.context_processors import register_header_provider
        from infoconnect.procurement.views.companies import companies_header
        from infoconnect.procurement.views.requisitions import requisition_header

        register_header_provider(companies_header)
        register_header_provider(requisition_header)
