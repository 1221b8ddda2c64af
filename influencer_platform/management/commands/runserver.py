from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver

from influencer_platform.jobs import in_process_worker_start


class Command(StaticRunserver):
    help = "Serve the app; in the embedded default also runs the job worker in this process."

    def inner_run(self, *args, **options):
        # inner_run executes in the autoreloader's child, the process that actually serves.
        if in_process_worker_start() is not None:
            self.stdout.write("Job worker: in-process threads (set REDIS_URL for separate workers)")
        super().inner_run(*args, **options)
