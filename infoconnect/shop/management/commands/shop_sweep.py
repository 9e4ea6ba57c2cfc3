from django.core.management.base import BaseCommand

from infoconnect.core import sweeps


class Command(BaseCommand):
    help = "Expire unpaid orders, confirm shipped orders past their period (cron-safe)."

    def handle(self, *args, **options) -> None:
        counts = sweeps.run(app_label="shop")
        self.stdout.write(
            f"expired={counts['order.expire']} completed={counts['order.auto_complete']}"
        )
