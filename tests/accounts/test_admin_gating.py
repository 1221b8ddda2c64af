import pytest
from django.urls import reverse

from accounts.services import user_set_admin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def admin_status(client, user) -> int:
    client.force_login(user)
    return client.get(reverse("admin:index")).status_code


def test_admin_console_refuses_ordinary_users(client, subscriber):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302  # anonymous: to the admin login
    assert admin_status(client, subscriber) == 302
    assert not subscriber.is_staff


def test_admin_console_opens_for_is_admin_flag_and_closes_when_removed(client):
    user = UserFactory()
    user_set_admin(user=user, is_admin=True)
    assert user.is_staff
    assert admin_status(client, user) == 200
    user_set_admin(user=user, is_admin=False)
    assert not user.is_staff
    assert admin_status(client, user) == 302


def test_admin_console_opens_for_addresses_in_admin_emails(client, settings):
    settings.ADMIN_EMAILS = ["ops@brand.com"]
    user = UserFactory(email="OPS@brand.com")
    assert user.is_staff
    assert admin_status(client, user) == 200
    settings.ADMIN_EMAILS = []
    # Removing the address takes effect at once, even though is_staff is still stored as True.
    assert admin_status(client, user) == 302


def test_admin_console_ignores_a_hand_set_is_staff(client):
    user = UserFactory()
    type(user).objects.filter(pk=user.pk).update(is_staff=True)
    user.refresh_from_db()
    assert admin_status(client, user) == 302


def test_admin_user_list_has_no_n_plus_one(client, django_assert_max_num_queries):
    admin = UserFactory(is_admin=True)
    UserFactory.create_batch(15)
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
