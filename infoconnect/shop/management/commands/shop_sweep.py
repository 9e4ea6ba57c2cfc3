from django.core.management.base import BaseCommand

from infoconnect.shop import actions


class Command(BaseCommand):
    help = "Expire unpaid orders, confirm shipped orders past their period, give back stale stock holds (cron-safe)."

    def handle(self, *args, **options) -> None:
        expired = actions.expire_unpaid_orders()
        completed = actions.auto_complete_shipped_orders()
        released = actions.release_stale_holds()
        self.stdout.write(f"expired={expired} completed={completed} holds_released={released}")
