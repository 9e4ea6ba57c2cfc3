from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "infoconnect.social"
    label = "social"
