from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import resolve, reverse
from django.utils import timezone

from accounts.models import BillingCycle, OnboardingStep, User
from accounts.services import onboarding_complete, onboarding_plan_select
from billing.models import SubscriptionPlan
from billing.providers import provider_is_demo
from billing.selectors import plan_get
from billing.services import trial_start
from billing.services.subscriptions import checkout_start, demo_checkout_complete, trial_available
from campaigns.demo import demo_workspace_create, demo_workspace_exists
from campaigns.lists.selectors import bucket_counts, list_items
from influencer_platform.errors import ApplicationError
from scraping.sandbox.embedded import embedded_sandbox_start
from scraping.selectors import campaign_results

DEMO_USER = ("demo@creatorradar.test", "demo-pass-2026", "viral_surge")
DEMO_ADMIN = ("admin@creatorradar.test", "admin-pass-2026")


class Command(BaseCommand):
    help = ("Create the demo user (on a trial, with a campaign of finished searches and a worked list) "
            "and the demo admin; running it again changes nothing.")

    def handle(self, *args, **options):
        email, password, plan_key = DEMO_USER
        user = self._demo_user(email, password)
        # Decided by the account's state rather than by its creation: a run stopped before the trial
        # started starts it the next time.
        if not user.subscription.has_access and trial_available(user=user):
            try:
                self._trial_start(user, plan_key)
            except ApplicationError as exc:
                # The demo user can still choose a plan on the onboarding page; `make run` goes on.
                self.stderr.write(self.style.WARNING(f"Demo trial: not started: {exc.message}"))
        # Fresh from the table: the trial's services wrote the subscription and onboarding rows.
        user = User.objects.select_related("subscription", "billing").get(pk=user.pk)
        self._workspace(user)
        admin_email, admin_password = DEMO_ADMIN
        with transaction.atomic():
            if not User.objects.filter(email=admin_email).exists():
                admin = User.objects.create_superuser(admin_email, admin_password, full_name="Olivia Operator")
                onboarding_complete(user=admin)
        plan = plan_get(plan_key=user.subscription.current_plan)
        self.stdout.write("Demo logins:")
        self.stdout.write(f"  user   {email} / {password}  ({self._plan_text(user, plan)})")
        self.stdout.write(f"  admin  {admin_email} / {admin_password}  (operator console at /admin/)")

    @transaction.atomic
    def _demo_user(self, email: str, password: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is not None:
            return user
        return User.objects.create_user(
            email, password, full_name="Dana Demo", business_name="Glow Botanics", industry="beauty",
            brand_description="Clean skincare for sensitive skin; we look for beauty and wellness creators "
            "in the US and UK.", onboarding_step=OnboardingStep.INTENT_CAPTURED,
        )

    def _trial_start(self, user: User, plan_key: str) -> None:
        """The trial the onboarding plan step starts: with demo billing through its checkout (so the
        billing page can cancel and resume it), otherwise a trial without a card."""
        onboarding_plan_select(user=user, plan_key=plan_key)
        if not provider_is_demo():
            trial_start(user=user, plan_key=plan_key)
            return
        # The URLs the demo checkout page would send a browser back to; here nobody follows them.
        success_url = f"{settings.SITE_URL}{reverse('billing_checkout_success')}?session_id={{CHECKOUT_SESSION_ID}}"
        checkout_url = checkout_start(
            user=user, plan_key=plan_key, cycle=BillingCycle.MONTHLY, success_url=success_url,
            cancel_url=f"{settings.SITE_URL}{reverse('billing_checkout_cancel')}", trial_required=True,
        )
        session_id = resolve(urlsplit(checkout_url).path).kwargs["session_id"]
        demo_checkout_complete(user=user, session_id=session_id)

    def _workspace(self, user: User) -> None:
        if demo_workspace_exists(user=user):
            self.stdout.write(f"Demo workspace: {user.email} already has campaigns or lists; left as they are.")
            return
        if settings.SCRAPECREATORS_API_KEY:
            self.stdout.write("Demo workspace: not created, its searches would spend ScrapeCreators credits "
                              "(SCRAPECREATORS_API_KEY is set).")
            return
        # The sandbox provider only, not the job worker: in the embedded default the seeded searches'
        # "search finished" emails then go nowhere (the in-memory broker's messages end with this process).
        # Nobody watches these searches, so the sandbox answers without its simulated network delay.
        if line := embedded_sandbox_start(latency_ms=0):
            self.stdout.write(line)
        self.stdout.write(f"Demo workspace for {user.email}:")
        try:
            workspace = demo_workspace_create(user=user, on_search=lambda job: self.stdout.write(
                f"  search    {job.get_platform_display():<9} {job.get_search_type_display():<16} "
                f"{job.query_label:<34} {job.found_count:>3} creators"))
        except ApplicationError as exc:
            # The app serves without a demo; `make run` goes on to start it.
            self.stderr.write(self.style.WARNING(f"  not created: {exc.message}"))
            return
        creator_list = workspace.creator_list
        items = list_items(creator_list=creator_list)
        buckets = ", ".join(f"{count} {label.lower()}" for _key, label, count in bucket_counts(creator_list))
        found = campaign_results(user=user, campaign_id=workspace.campaign.pk).count()
        self.stdout.write(f"  campaign  “{workspace.campaign.name}”: {len(workspace.searches)} searches, "
                          f"{found} creators")
        self.stdout.write(f"  list      “{creator_list.name}”: {buckets}; {items.filter(pinned=True).count()} "
                          f"pinned, {items.exclude(notes='').count()} with notes")

    @staticmethod
    def _plan_text(user: User, plan: SubscriptionPlan | None) -> str:
        subscription = user.subscription
        name = plan.name if plan else subscription.current_plan
        if subscription.is_trialing and subscription.trial_ends_at:
            ends = timezone.localtime(subscription.trial_ends_at).strftime("%-d %b")
            if user.billing.stripe_subscription_id:
                return f"{name} trial with the demo card until {ends}; cancel or resume it at /billing/"
            return f"{name} trial until {ends}"
        return f"{name}, {subscription.get_subscription_status_display().lower()}"
