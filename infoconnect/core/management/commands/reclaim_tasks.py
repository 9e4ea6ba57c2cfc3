from django.core.management.base import BaseCommand

from infoconnect.core.workers import reclaim_stale_tasks


class Command(BaseCommand):
    help = (
        "Put back to READY the tasks a dead worker left RUNNING for longer than "
        "TASK_RUNNING_TIMEOUT, so a live worker runs them again (cron-safe)."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"reclaimed_tasks={reclaim_stale_tasks()}")
