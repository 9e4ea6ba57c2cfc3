"""Re-queue the work a lost worker left behind: due scheduled campaigns and unfinished sends.

Run it from cron (or after restarting workers); everything it queues is safe to run twice.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from infoconnect.messaging.models import Campaign
from infoconnect.messaging.tasks import deliver_campaign, start_scheduled_campaign


class Command(BaseCommand):
    help = "Queue due scheduled campaigns and campaigns whose sending was interrupted."

    def handle(self, *args, **options):
        due = Campaign.objects.filter(
            state=Campaign.State.SCHEDULED, scheduled_at__lte=timezone.now()
        ).values_list("pk", flat=True)
        sending = Campaign.objects.filter(state=Campaign.State.SENDING).values_list("pk", flat=True)
        for campaign_id in due:
            start_scheduled_campaign.enqueue(campaign_id)
        for campaign_id in sending:
            deliver_campaign.enqueue(campaign_id)
        self.stdout.write(f"queued {len(due)} scheduled and {len(sending)} sending campaigns")
