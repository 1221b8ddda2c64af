"""Operator access (the console at /admin/) is for confirmed operators only."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP_PASSWORD = "a-Sturdy-passphrase-42"


def sign_up(client, email):
    return client.post(reverse("account_signup"),
                       {"email": email, "password1": SIGNUP_PASSWORD, "password2": SIGNUP_PASSWORD})


def confirm(client, address):
    message = next(m for m in reversed(mail.outbox) if address in m.to and "confirm-email" in m.body)
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body).group(1)
    assert client.post(path).status_code == 302


def console_status(client, user) -> int:
    client.force_login(user)
    return client.get(reverse("admin:index")).status_code


@pytest.mark.parametrize("verification", ["optional", "mandatory"])
def test_operator_access_by_admin_emails_waits_for_the_signed_up_address_to_be_confirmed(
        client, settings, verification):
    settings.ADMIN_EMAILS = ["ops@brand.com"]
    settings.ACCOUNT_EMAIL_VERIFICATION = verification
    sign_up(client, "ops@brand.com")
    user = User.objects.get(email="ops@brand.com")

    assert not user.is_staff
    assert console_status(client, user) == 302

    client.logout()
    confirm(client, "ops@brand.com")
    user.refresh_from_db()
    assert user.is_staff
    assert console_status(client, user) == 200


def test_operator_access_by_admin_emails_is_not_given_by_adding_the_address_and_making_it_primary(
        client, settings):
    settings.ADMIN_EMAILS = ["ops@brand.com"]
    sign_up(client, "newcomer@brand.com")
    user = User.objects.get(email="newcomer@brand.com")
    client.force_login(user)

    client.post(reverse("account_email"), {"email": "ops@brand.com", "action_add": ""})
    client.post(reverse("account_email"), {"email": "ops@brand.com", "action_primary": ""})
    user.refresh_from_db()
    assert user.email == "ops@brand.com"  # allauth let an unconfirmed address become the primary one
    assert not user.is_staff
    assert client.get(reverse("admin:index")).status_code == 302

    confirm(client, "ops@brand.com")
    user.refresh_from_db()
    assert user.is_staff
    assert console_status(client, user) == 200


def test_operator_sign_in_requires_a_confirmed_address_where_customers_need_none(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    operator = UserFactory(is_admin=True)
    customer = UserFactory()
    EmailAddress.objects.filter(user__in=[operator, customer]).update(verified=False)

    response = client.post(reverse("account_login"), {"login": operator.email, "password": PASSWORD})
    assert response.url == reverse("account_email_verification_sent")
    assert not client.session.get("_auth_user_id")
    assert any(operator.email in m.to for m in mail.outbox)

    client.post(reverse("account_login"), {"login": customer.email, "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(customer.pk)

    client.logout()
    confirm(client, operator.email)
    client.post(reverse("account_login"), {"login": operator.email, "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(operator.pk)
    assert client.get(reverse("admin:index")).status_code == 200
