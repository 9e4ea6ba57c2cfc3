from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "infoconnect.messaging"
    label = "messaging"
