from django.core.management.base import BaseCommand

from infoconnect.procurement.actions import statements


class Command(BaseCommand):
    help = (
        "Issue last month's statement for every company-merchant pair that ordered on terms "
        "in it and has none yet (cron-safe: run it on the 1st, or every hour)."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"issued={statements.issue_due_statements()}")
