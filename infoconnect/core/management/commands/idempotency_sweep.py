from django.core.management.base import BaseCommand

from infoconnect.core.idempotency import RETENTION, prune_expired


class Command(BaseCommand):
    help = (
        f"Delete stored Idempotency-Key responses older than {RETENTION} (cron-safe: a second "
        "run deletes nothing more)."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"pruned_idempotency_records={prune_expired()}")
