"""Background work of the microblog; every task fetches by id, calls an action and is safe to
run twice."""

from infoconnect.core.jobs import enqueue_now, task
from infoconnect.social import selectors
from infoconnect.social.actions import polls, scheduled


@task()
def publish_scheduled_status(scheduled_id: int) -> bool:
    """Post a scheduled status; if it ran early (or the author moved it later), wait again."""
    if scheduled.publish_due(scheduledstatus_id=scheduled_id):
        return True
    due_at = selectors.scheduled_due_at(scheduled_id=scheduled_id)
    if due_at is not None:
        # A task runs outside any transaction: queue the next try at once.
        enqueue_now(publish_scheduled_status, scheduled_id, run_after=due_at)
    return False


@task()
def close_poll(poll_id: int) -> bool:
    """Close a poll once it has ended and tell its author and voters; safe to run twice."""
    return polls.close_due(poll_id=poll_id)
