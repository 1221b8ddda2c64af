from django.core.management.base import BaseCommand

from billing.services.periodic import usage_reset_sweep


class Command(BaseCommand):
    help = "Reset monthly creator counters whose renewal date has come (hourly cron); idempotent."

    def handle(self, *args, **options):
        result = usage_reset_sweep()
        self.stdout.write(f"usage counters due {result.checked}, reset {result.changed}")
