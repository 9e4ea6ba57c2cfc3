from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "infoconnect.core"
    label = "core"
