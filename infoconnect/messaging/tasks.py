"""Background work of campaigns; every task fetches by id and is safe to run twice."""

from django.utils import timezone
from django_tasks import task

from infoconnect.messaging import actions
from infoconnect.messaging.models import Campaign


@task()
def deliver_campaign(campaign_id: int) -> int:
    """Write every chunk of a sending campaign that is not written yet."""
    return actions.deliver_campaign_chunks(campaign_id=campaign_id)


@task()
def start_scheduled_campaign(campaign_id: int) -> bool:
    """Start a scheduled campaign; if it ran early (or was moved later), wait again."""
    if actions.start_scheduled(campaign_id=campaign_id):
        return True
    campaign = Campaign.objects.filter(pk=campaign_id, state=Campaign.State.SCHEDULED).first()
    if campaign is not None and campaign.scheduled_at and campaign.scheduled_at > timezone.now():
        actions.enqueue_start(start_scheduled_campaign, campaign.pk, campaign.scheduled_at)
    return False
