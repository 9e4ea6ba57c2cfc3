"""What the event bus hears from the inbox and from campaigns: the web UI's unread badge and a
merchant's campaign progress update from it instead of polling."""

from infoconnect.core import events


def inbox_changed(*user_ids: int) -> None:
    """New messages for these accounts (their unread badges count again)."""
    events.publish([events.web_stream(u) for u in user_ids], "messages", {})


def campaign_progressed(*, campaign_id: int, merchant_id: int) -> None:
    events.publish([events.web_stream(merchant_id)], "campaign", {"campaign": campaign_id})


def chunk_delivered(*, merchant_id: int, low: int, high: int) -> None:
    """A campaign chunk wrote receipts for the merchant's followers with ids in [low, high]:
    one event for all of them, which each listener in that range checks for itself."""
    events.publish(
        [events.CAMPAIGN_DELIVERIES],
        "messages",
        {"merchant": merchant_id, "low": low, "high": high},
    )
