from django.db import migrations

# The product offers no support tier, so no plan may sell one; the feature is gone from the code too.
RETIRED = "priority_support"


def drop_retired_feature(apps, schema_editor):
    SubscriptionPlan = apps.get_model("billing", "SubscriptionPlan")
    for plan in SubscriptionPlan.objects.all():
        if RETIRED in (plan.features or []):
            plan.features = [feature for feature in plan.features if feature != RETIRED]
            plan.save(update_fields=["features"])


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_creator_reveals")]
    operations = [migrations.RunPython(drop_retired_feature, migrations.RunPython.noop)]
