"""The campaign's lifecycle: every edge of ``Campaign.state``, declared once.

    draft ──schedule──▶ scheduled ──start (due at scheduled_at)──▶ sending ──finish──▶ sent
    draft ──send──▶ sending ──pause──▶ paused ──resume──▶ sending
    scheduled | sending | paused ──cancel──▶ cancelled, ──suspend──▶ failed
    scheduled ──fail (it could not start when due)──▶ failed

What a move sets off happens in ``moved``, the one hook: entering ``scheduled`` queues the
start for its time (the sweep starts it if that job is lost), entering ``sending`` (send, start,
resume) queues the delivery tasks, and entering a state no edge leaves (sent, cancelled,
failed) settles the campaign's billing in the transaction that ended it.

The last chunk's statement in ``actions/delivery.py`` moves a campaign to ``sent`` together
with its counters, for speed (the ``finish`` edge's hot path), and reports it here.
"""

from typing import Any

from django.utils.module_loading import import_string

from infoconnect.core.errors import DomainError
from infoconnect.core.jobs import enqueue_on_commit
from infoconnect.core.lifecycle import Edge, Lifecycle, Move, register
from infoconnect.messaging import streams
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.models import Campaign

State = Campaign.State

DELIVER_TASK = "infoconnect.messaging.tasks.deliver_campaign"
START_TASK = "infoconnect.messaging.tasks.start_scheduled_campaign"
# Named, not imported: the actions package imports this module.
SETTLE_BILLING = "infoconnect.messaging.actions.billing.settle_billing"
DELIVERY_MODULE = "infoconnect.messaging.actions.delivery"

# A refused move says what the merchant can do instead; edges not listed say "not a draft".
REFUSALS = {
    "cancel": MessagingError.CAMPAIGN_NOT_CANCELLABLE,
    "pause": MessagingError.CAMPAIGN_NOT_SENDING,
    "resume": MessagingError.CAMPAIGN_NOT_PAUSED,
}


class CampaignLifecycle(Lifecycle):
    model = Campaign
    invalid_state = MessagingError.CAMPAIGN_NOT_DRAFT
    edges = (
        Edge("schedule", sources=(State.DRAFT,), target=State.SCHEDULED),
        Edge("send", sources=(State.DRAFT,), target=State.SENDING),
        Edge(
            "start",
            sources=(State.SCHEDULED,),
            target=State.SENDING,
            due="scheduled_at",
            sweep="infoconnect.messaging.actions.campaigns.start_scheduled",
        ),
        Edge("pause", sources=(State.SENDING,), target=State.PAUSED),
        Edge("resume", sources=(State.PAUSED,), target=State.SENDING),
        # Also written with the last chunk's counters, in one statement.
        Edge("finish", sources=(State.SENDING,), target=State.SENT, hot_path=DELIVERY_MODULE),
        Edge(
            "cancel",
            sources=(State.SCHEDULED, State.SENDING, State.PAUSED),
            target=State.CANCELLED,
        ),
        # A scheduled campaign that could not start when it was due.
        Edge("fail", sources=(State.SCHEDULED,), target=State.FAILED),
        # The merchant was suspended from the programme.
        Edge(
            "suspend",
            sources=(State.SCHEDULED, State.SENDING, State.PAUSED),
            target=State.FAILED,
        ),
    )

    def move(self, obj: Campaign, verb: str, *, strict: bool = True, **kwargs: Any) -> bool:
        """As ``Lifecycle.move``; a refusal raises the edge's own error (see REFUSALS)."""
        moved = super().move(obj, verb, strict=False, **kwargs)
        if not moved and strict:
            raise DomainError(REFUSALS.get(verb, self.invalid_state))
        return moved

    def has_ended(self, state: str) -> bool:
        return not self.verbs_from(state)

    def moved(self, obj: Campaign, move: Move) -> None:
        target = move.edge.target
        streams.campaign_progressed(campaign_id=obj.pk, merchant_id=obj.merchant_id)
        if target == State.SCHEDULED:
            # A backend that cannot defer leaves the start to the sweep of the `start` edge.
            enqueue_on_commit(START_TASK, obj.pk, run_after=obj.scheduled_at)
        elif target == State.SENDING:
            # Several tasks share the chunks, each taking one nobody else holds.
            for _task in range(move.context.get("deliveries", 1)):
                enqueue_on_commit(DELIVER_TASK, obj.pk)
        elif self.has_ended(target):
            import_string(SETTLE_BILLING)(obj.pk)


campaigns = register(CampaignLifecycle())

# States that leave nothing more to do; billing is settled on entering one.
ENDED_STATES = campaigns.targets("finish", "cancel", "fail", "suspend")
# States whose campaigns use up their day's quota (a cancelled one too, once it started).
QUOTA_STATES = campaigns.targets("schedule", "send", "pause", "finish")
# A send repeated once the campaign started (sending, paused or sent) answers it as it is.
SENT_OR_SENDING = campaigns.targets("send", "pause", "finish")
