from django.core.management.base import BaseCommand

from billing.services.periodic import subscriptions_reconcile


class Command(BaseCommand):
    help = "Read every subscription from the payment provider and apply it (hourly cron)."

    def handle(self, *args, **options):
        result = subscriptions_reconcile()
        self.stdout.write(f"subscriptions checked {result.checked}, changed {result.changed}, failed {result.failed}")
