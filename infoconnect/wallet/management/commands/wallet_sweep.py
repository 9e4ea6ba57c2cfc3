from django.core.management.base import BaseCommand

from infoconnect.wallet import actions


class Command(BaseCommand):
    help = (
        "Expire top-ups left pending too long (cron-safe: a second run expires nothing more). "
        "`manage.py sweep` makes every due move, payouts left unsent included."
    )

    def handle(self, *args, **options) -> None:
        expired = actions.expire_stale_topups()
        self.stdout.write(f"expired_topups={expired}")
