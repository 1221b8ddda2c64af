from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import OnboardingStep, User
from accounts.services import onboarding_complete
from billing.services import trial_start

DEMO_USER = ("demo@creatorradar.test", "demo-pass-2026", "viral_surge")
DEMO_ADMIN = ("admin@creatorradar.test", "admin-pass-2026")


class Command(BaseCommand):
    help = "Create the demo user (onboarded, on an active trial) and the demo admin; idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        email, password, plan_key = DEMO_USER
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, password, full_name="Dana Demo", business_name="Glow Botanics",
                industry="beauty", brand_description="Clean skincare for sensitive skin; we look "
                "for beauty and wellness creators in the US and UK.",
                onboarding_step=OnboardingStep.PLAN_SELECTED,
            )
            trial_start(user=user, plan_key=plan_key)
        admin_email, admin_password = DEMO_ADMIN
        admin = User.objects.filter(email=admin_email).first()
        if admin is None:
            admin = User.objects.create_superuser(admin_email, admin_password, full_name="Olivia Operator")
            onboarding_complete(user=admin)
        self.stdout.write("Demo logins:")
        self.stdout.write(f"  user   {email} / {password}  ({plan_key} trial)")
        self.stdout.write(f"  admin  {admin_email} / {admin_password}  (operator console at /admin/)")
