from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "infoconnect.procurement"
    label = "procurement"
