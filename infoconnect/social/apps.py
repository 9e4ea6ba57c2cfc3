from django.apps import AppConfig


def header_values(request) -> dict:
    from django.utils.functional import SimpleLazyObject

    from infoconnect.social import selectors

    user = request.user
    # Counted only when a page draws the header, not for every fragment (live progress,
    # badges) rendered with this context.
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: selectors.unread_notification_count(user=user)
        )
    }


class SocialConfig(AppConfig):
    name = "infoconnect.social"
    label = "social"

    def ready(self) -> None:
        from infoconnect.core.context_processors import register_header_provider

        register_header_provider(header_values)
