from importlib import import_module

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from accounts.selectors import user_profile_get

pytestmark = pytest.mark.django_db

PASSWORD = "a-Sturdy-passphrase-42"


def assert_complete(email: str) -> User:
    user = User.objects.get(email=email)
    assert user.subscription.current_plan == "free"
    assert user.subscription.subscription_status == "none"
    assert user.billing.stripe_customer_id == ""
    assert user.usage.creators_used_this_month == 0
    assert user.system_data.signup_at is not None
    assert user.system_data.email_schedule_status == {}
    return user


def test_account_tables_created_on_signup(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "New.Person@Brand.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert_complete("new.person@brand.com")


def test_account_tables_created_by_create_user_and_plain_save():
    User.objects.create_user("a@brand.com", PASSWORD)
    User.objects.create(email="b@brand.com")
    User(email="c@brand.com").save()
    for email in ("a@brand.com", "b@brand.com", "c@brand.com"):
        assert_complete(email)


def test_account_tables_created_by_createsuperuser(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--email", "root@brand.com", verbosity=0)
    user = assert_complete("root@brand.com")
    assert user.is_platform_admin and user.is_staff


def test_account_tables_created_from_admin_add_form(client):
    admin = User.objects.create_superuser("ops@brand.com", PASSWORD)
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"email": "added@brand.com", "password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_complete("added@brand.com")


def test_account_tables_rolled_back_with_the_user():
    User.objects.create_user("taken@brand.com", PASSWORD)
    with pytest.raises(Exception):
        User.objects.create_user("TAKEN@brand.com", PASSWORD)
    assert User.objects.filter(email="taken@brand.com").count() == 1


def test_user_profile_get_loads_everything_in_one_query(django_assert_num_queries):
    user = User.objects.create_user("one@brand.com", PASSWORD)
    with django_assert_num_queries(1):
        profile = user_profile_get(user_id=user.pk)
        assert (profile.subscription.pk, profile.billing.pk, profile.usage.pk, profile.system_data.pk) == (user.pk,) * 4


def test_user_email_login_is_case_insensitive(client):
    User.objects.create_user("Mixed.Case@Brand.com", PASSWORD)
    response = client.post(reverse("account_login"), {"login": "MIXED.case@brand.COM", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_accounts_made_before_addresses_were_recorded_still_sign_in(client):
    # Made outside sign-up before such accounts had address rows: the migration records the address
    # as vouched for, so mandatory verification does not lock the account out.
    vouch_for_addresses = import_module(
        "accounts.migrations.0006_addresses_of_accounts_made_outside_sign_up").vouch_for_addresses
    user = User.objects.create_user("old-timer@brand.com", PASSWORD)
    EmailAddress.objects.filter(user=user).delete()

    vouch_for_addresses(apps, None)

    response = client.post(reverse("account_login"), {"login": "old-timer@brand.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
