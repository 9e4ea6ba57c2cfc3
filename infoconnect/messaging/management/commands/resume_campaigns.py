"""Re-start the work a lost worker left behind: due scheduled campaigns and sends that stalled.

``manage.py periodic`` runs it every five minutes (the sweep starts due campaigns every
minute too). Everything it queues is safe to run twice.
"""

from django.core.management.base import BaseCommand

from infoconnect.core.jobs import enqueue_now
from infoconnect.core.sweeps import sweep_edge
from infoconnect.messaging import selectors
from infoconnect.messaging.lifecycle import DELIVER_TASK, campaigns


class Command(BaseCommand):
    help = "Start due scheduled campaigns and queue campaigns whose sending was interrupted."

    def handle(self, *args, **options):
        started = sweep_edge(campaigns, "start")
        sending = selectors.sending_campaign_ids()
        for campaign_id in sending:
            # A command runs outside any transaction: queue at once.
            enqueue_now(DELIVER_TASK, campaign_id)
        self.stdout.write(f"queued {started} scheduled and {len(sending)} sending campaigns")
