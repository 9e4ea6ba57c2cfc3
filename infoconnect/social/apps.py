from django.apps import AppConfig


def header_values(request) -> dict:
    from infoconnect.social import selectors

    return {"unread_notifications": selectors.unread_notification_count(user=request.user)}


class SocialConfig(AppConfig):
    name = "infoconnect.social"
    label = "social"

    def ready(self) -> None:
        from infoconnect.core.context_processors import register_header_provider

        register_header_provider(header_values)
