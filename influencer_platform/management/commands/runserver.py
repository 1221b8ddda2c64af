from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver

from influencer_platform.jobs import embedded_services_start


class Command(StaticRunserver):
    help = "Serve the app; in the embedded default also runs the job worker and sandbox provider here."

    def inner_run(self, *args, **options):
        # inner_run executes in the autoreloader's child, the process that actually serves.
        for line in embedded_services_start():
            self.stdout.write(line)
        super().inner_run(*args, **options)
