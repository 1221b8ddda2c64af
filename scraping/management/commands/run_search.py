"""Run one search to its end in the foreground, with a progress bar."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from influencer_platform.errors import ApplicationError
from influencer_platform.jobs import embedded_services_start
from influencer_platform.progress import ProgressBar
from scraping.models import Platform, SearchType
from scraping.services import job_cancel, job_start, job_step_run

STALE_STEP_PAUSE = 0.5


def run_summary(job) -> str:
    """The provider side of a finished search, in one line."""
    calls = job.provider_calls
    wasted = f"{100 * job.wasted_calls / calls:.1f}%" if calls else "0%"
    return (f"{calls:,} provider calls ({job.hedged_calls:,} hedged, {job.wasted_calls:,} wasted = {wasted}; "
            f"{job.rate_limited_calls:,} answered 429), {job.credits_spent:,} credits, "
            f"{job.profiles_reused:,} profiles reused")


class Command(BaseCommand):
    help = "Run one creator search in the foreground and print `job <id> <status> <n> creators`."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Email of the account the search belongs to.")
        parser.add_argument("--platform", required=True, choices=Platform.values)
        parser.add_argument("--type", required=True, choices=SearchType.values, dest="search_type")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--query", help='Keywords, comma separated: "vegan skincare, clean beauty".')
        source.add_argument("--username", help="The creator to find similar ones to (@name or profile URL).")
        parser.add_argument("--target", type=int, required=True, help="How many creators to find.")

    def handle(self, *args, **options):
        user = User.objects.filter(email__iexact=options["user"].strip()).first()
        if user is None:
            raise CommandError(f"No account with the email {options['user']}.")
        if options["search_type"] == SearchType.KEYWORD and not options["query"]:
            raise CommandError("A keyword search needs --query.")
        if options["search_type"] == SearchType.SIMILAR and not options["username"]:
            raise CommandError("A similar search needs --username.")
        # The sandbox provider, when no API key is set, lives in this process like in runserver.
        for line in embedded_services_start():
            self.stderr.write(line)
        try:
            job = job_start(
                user=user, platform=options["platform"], search_type=options["search_type"],
                target_results=options["target"], keywords=options["query"] or "",
                username=options["username"] or "", dispatch=False,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

        bar = ProgressBar(self.stderr._out, total=job.target_results)
        try:
            while True:
                # A step stores creators as they arrive: the bar moves with each of its commits.
                outcome = job_step_run(job_id=job.pk, dispatch=False, on_progress=bar.update)
                job.refresh_from_db()
                bar.update(job.found_count, job.status_message)
                if job.is_finished:
                    break
                # A stale step means a worker stored this step first (the sweep re-sends a step
                # that looks stalled): the search goes on, so wait a moment and carry on with it.
                time.sleep(STALE_STEP_PAUSE if outcome.stale else outcome.delay or 0)
        except KeyboardInterrupt:
            bar.close()
            job.refresh_from_db()
            if not job.is_finished:
                job = job_cancel(job=job)
            self.stderr.write("Interrupted: the search was cancelled; the creators it found are kept.")
            self.stdout.write(f"job {job.pk} {job.status} {job.found_count} creators")
            raise CommandError("Interrupted.", returncode=130) from None
        bar.close()
        self.stdout.write(f"job {job.pk} {job.status} {job.found_count} creators")
        self.stderr.write(run_summary(job))
        if job.status != "completed":
            self.stderr.write(job.status_message)
