from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "infoconnect.api"
    label = "api"
