from django.db import migrations

BASIC = ["csv_export", "basic_analytics"]
PLANS = [
    {
        "plan_key": "free", "name": "Free", "tagline": "Explore the product; start a trial to search.",
        "price_monthly_cents": 0, "price_yearly_cents": 0,
        "campaigns_limit": 0, "creators_limit": 0, "features": [], "sort_order": 0,
    },
    {
        "plan_key": "glow_up", "name": "Glow Up", "tagline": "For brands starting out with creators.",
        "price_monthly_cents": 9900, "price_yearly_cents": 79000,
        "campaigns_limit": 3, "creators_limit": 1000, "features": BASIC, "sort_order": 10,
    },
    {
        "plan_key": "viral_surge", "name": "Viral Surge", "tagline": "For teams running campaigns every month.",
        "price_monthly_cents": 24900, "price_yearly_cents": 199000,
        "campaigns_limit": 10, "creators_limit": 10000,
        "features": BASIC + ["advanced_analytics", "priority_support"], "sort_order": 20,
    },
    {
        "plan_key": "fame_flex", "name": "Fame Flex", "tagline": "For agencies: no limits, plus the API.",
        "price_monthly_cents": 49900, "price_yearly_cents": 399000,
        "campaigns_limit": -1, "creators_limit": -1,
        "features": BASIC + ["advanced_analytics", "priority_support", "api"], "sort_order": 30,
    },
]


def seed_plans(apps, schema_editor):
    SubscriptionPlan = apps.get_model("billing", "SubscriptionPlan")
    for plan in PLANS:
        # Plans already edited by an operator are left as they are.
        SubscriptionPlan.objects.get_or_create(plan_key=plan["plan_key"], defaults=plan)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(seed_plans, migrations.RunPython.noop)]
