from django.core.management.base import BaseCommand

from infoconnect.shop import actions


class Command(BaseCommand):
    help = "Expire unpaid orders, confirm shipped orders past their period (cron-safe)."

    def handle(self, *args, **options) -> None:
        expired = actions.expire_unpaid_orders()
        completed = actions.auto_complete_shipped_orders()
        self.stdout.write(f"expired={expired} completed={completed}")
