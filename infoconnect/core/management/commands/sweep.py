from django.core.management.base import BaseCommand

from infoconnect.core import sweeps


class Command(BaseCommand):
    help = (
        "Make every due lifecycle move (unpaid orders expire, shipped orders confirm, stale "
        "top-ups expire, scheduled campaigns start); cron-safe, safe on several machines."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--app", help="Sweep only this app's lifecycles, e.g. shop.")

    def handle(self, *args, **options) -> None:
        counts = sweeps.run(app_label=options.get("app"))
        self.stdout.write(" ".join(f"{name}={count}" for name, count in sorted(counts.items())))
