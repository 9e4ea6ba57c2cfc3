"""Every write of the messaging app, one module per use case:

- ``programme``: enrolling and suspending merchants, the daily campaign quota;
- ``preferences``: a follower's marketing choice, the tags merchants put on followers;
- ``direct``: private messages and reading a conversation;
- ``statuses``: a direct status delivered as private messages to the accounts it mentions;
- ``receipts``: what a recipient does with a campaign message (read, click, unsubscribe, report);
- ``campaigns``: composing a draft and each move of its lifecycle (``lifecycle.py``);
- ``delivery``: the fan-out (a send's start, its chunks, their workers);
- ``billing``: what a campaign holds from the merchant balance and what it is charged;
- ``rules``: what the actions accept (addresses, tags, audiences, product cards, images).

Callers use ``from infoconnect.messaging import actions`` and the names below.
"""

from infoconnect.messaging.actions.billing import settle_billing
from infoconnect.messaging.actions.campaigns import (
    cancel_campaign,
    create_campaign,
    edit_campaign,
    estimate_campaign,
    pause_campaign,
    pause_campaigns,
    remove_campaign_image,
    resume_campaign,
    resume_campaigns,
    schedule_campaign,
    send_campaign,
    send_test,
    set_campaign_image,
    start_scheduled,
    update_campaign,
)
from infoconnect.messaging.actions.delivery import (
    deliver_campaign_chunks,
    deliver_next_chunk,
    requeue_sending,
)
from infoconnect.messaging.actions.direct import mark_conversation_read, send_message
from infoconnect.messaging.actions.preferences import (
    set_follower_tags,
    set_marketing_preference,
    tag_follower,
    tag_followers,
    untag_follower,
)
from infoconnect.messaging.actions.programme import enrol_merchant, suspend_merchant
from infoconnect.messaging.actions.receipts import record_click, report_spam, unsubscribe
from infoconnect.messaging.actions.rules import clean_audience
from infoconnect.messaging.actions.statuses import (
    deliver_direct_post,
    read_conversation,
    remove_conversation,
)

__all__ = [
    "cancel_campaign",
    "clean_audience",
    "create_campaign",
    "deliver_campaign_chunks",
    "deliver_direct_post",
    "deliver_next_chunk",
    "edit_campaign",
    "enrol_merchant",
    "estimate_campaign",
    "mark_conversation_read",
    "pause_campaign",
    "pause_campaigns",
    "read_conversation",
    "record_click",
    "remove_conversation",
    "remove_campaign_image",
    "report_spam",
    "requeue_sending",
    "resume_campaign",
    "resume_campaigns",
    "schedule_campaign",
    "send_campaign",
    "send_message",
    "send_test",
    "set_campaign_image",
    "set_follower_tags",
    "set_marketing_preference",
    "settle_billing",
    "start_scheduled",
    "suspend_merchant",
    "tag_follower",
    "tag_followers",
    "unsubscribe",
    "untag_follower",
    "update_campaign",
]
