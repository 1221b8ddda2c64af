from django.db import migrations


def vouch_for_addresses(apps, schema_editor):
    # Accounts made outside sign-up (createsuperuser, the operator tools, seed_demo) have no
    # sign-in address rows; their makers vouched for the address, as new ones now record, so
    # mandatory email verification does not lock them out.
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    EmailAddress.objects.bulk_create(
        EmailAddress(user_id=user_id, email=email, primary=True, verified=True)
        for user_id, email in User.objects.filter(emailaddress__isnull=True).values_list("id", "email").iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_subscription_cancel_at"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(vouch_for_addresses, migrations.RunPython.noop)]
