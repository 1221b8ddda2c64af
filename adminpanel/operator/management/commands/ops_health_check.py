from django.core.management.base import BaseCommand

from adminpanel.operator.services import do_ops_health_check


class Command(BaseCommand):
    help = ("Raise the alerts for silent workers or scheduler and low provider credits. Run it from a host "
            "timer every few minutes: it works when the workers and the scheduler do not.")

    def handle(self, *args, **options) -> None:
        raised = do_ops_health_check()
        self.stdout.write(f"Alerts raised: {', '.join(raised)}" if raised else "All healthy.")
