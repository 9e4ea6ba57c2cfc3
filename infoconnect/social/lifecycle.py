"""The scheduled status's lifecycle: every edge of ``ScheduledStatus.state``, declared once.

    (new) ──schedule──▶ scheduled ──publish (due at scheduled_at)──▶ published
    scheduled ──fail (it could not be posted when due)──▶ failed

A scheduled status the author deletes is deleted, not moved. Entering ``scheduled`` (and a new
time) queues the publishing for its time; the sweep publishes it if that job is lost.
"""

from typing import Any

from infoconnect.core.errors import DomainError
from infoconnect.core.jobs import enqueue_on_commit
from infoconnect.core.lifecycle import Edge, Lifecycle, Move, register
from infoconnect.social.errors import SocialError
from infoconnect.social.models import Poll, ScheduledStatus

State = ScheduledStatus.State

PUBLISH_TASK = "infoconnect.social.tasks.publish_scheduled_status"
# Writes the new row itself and reports its first move.
SCHEDULING = "infoconnect.social.actions.scheduled"


class ScheduledStatusLifecycle(Lifecycle):
    model = ScheduledStatus
    invalid_state = SocialError.SCHEDULED_STATUS_NOT_FOUND
    edges = (
        Edge("schedule", sources=(), target=State.SCHEDULED, hot_path=SCHEDULING),
        Edge(
            "publish",
            sources=(State.SCHEDULED,),
            target=State.PUBLISHED,
            due="scheduled_at",
            sweep="infoconnect.social.actions.scheduled.publish_due",
        ),
        Edge("fail", sources=(State.SCHEDULED,), target=State.FAILED),
    )

    def move(self, obj: ScheduledStatus, verb: str, *, strict: bool = True, **kwargs: Any) -> bool:
        moved = super().move(obj, verb, strict=False, **kwargs)
        if not moved and strict:
            raise DomainError(self.invalid_state)
        return moved

    def moved(self, obj: ScheduledStatus, move: Move) -> None:
        if move.edge.target == State.SCHEDULED:
            queue_publishing(obj)


def queue_publishing(obj: ScheduledStatus) -> None:
    """Queue the publishing for the row's time (again when the author moves it): a job that
    runs early finds it not yet due and waits again, and one left over from an earlier time
    finds it published already."""
    enqueue_on_commit(PUBLISH_TASK, obj.pk, run_after=obj.scheduled_at)


scheduled_statuses = register(ScheduledStatusLifecycle())


class PollLifecycle(Lifecycle):
    """A poll: ``open`` from its post on, ``closed`` once ``expires_at`` has passed (by the
    task queued for then, or by the sweep), which tells its author and voters.

        (new, with its post) ──open──▶ open ──close (due at expires_at)──▶ closed
    """

    model = Poll
    invalid_state = SocialError.POLL_NOT_FOUND
    edges = (
        Edge("open", sources=(), target=Poll.State.OPEN, hot_path="infoconnect.social.polls"),
        Edge(
            "close",
            sources=(Poll.State.OPEN,),
            target=Poll.State.CLOSED,
            due="expires_at",
            sweep="infoconnect.social.actions.polls.close_due",
        ),
    )


polls = register(PollLifecycle())
