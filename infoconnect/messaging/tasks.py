"""Background work of campaigns; every task fetches by id, calls an action and is safe to
run twice."""

from infoconnect.core.jobs import enqueue_now, task
from infoconnect.messaging import actions, selectors


@task()
def deliver_campaign(campaign_id: int) -> int:
    """Write every chunk of a sending campaign that is not written yet."""
    return actions.deliver_campaign_chunks(campaign_id=campaign_id)


@task()
def start_scheduled_campaign(campaign_id: int) -> bool:
    """Start a scheduled campaign; if it ran early (or was moved later), wait again."""
    if actions.start_scheduled(campaign_id=campaign_id):
        return True
    due_at = selectors.scheduled_start(campaign_id=campaign_id)
    if due_at is not None:
        # A task runs outside any transaction: queue the next try at once.
        enqueue_now(start_scheduled_campaign, campaign_id, run_after=due_at)
    return False
