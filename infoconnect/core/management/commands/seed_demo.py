"""`manage.py seed_demo`: the demo accounts and posts; running it again adds nothing."""

from django.core.management.base import BaseCommand

from infoconnect.core.management.demo import DEMO_PASSWORD, demo_logins, seed


class Command(BaseCommand):
    help = "Seed the demo data (demo-only passwords; never run this on a public server)."

    def handle(self, *args, **options) -> None:
        verbose = options["verbosity"] >= 2
        seed(log=(lambda message: self.stdout.write(f"  {message}")) if verbose else None)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        for what, username in demo_logins():
            self.stdout.write(f"  {what:<28} {username} / {DEMO_PASSWORD}")
