from django.core.management.base import BaseCommand

from billing.services.periodic import trial_expiry_sweep


class Command(BaseCommand):
    help = "End trials whose time is up (the cron actor runs this every 10 minutes); idempotent."

    def handle(self, *args, **options):
        result = trial_expiry_sweep()
        self.stdout.write(f"trials checked {result.checked}, ended {result.changed}, failed {result.failed}")
