"""The console's sign-in is the site's own, with its failed-login limit."""

import pytest
from django.urls import reverse

from influencer_platform.settings import base
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def admin_sign_in(client, email, password):
    """Sign in the way /admin/login/ leads a person to, wherever its form lives."""
    form_page = client.get(f"{reverse('admin:login')}?next=/admin/", follow=True)
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else form_page.request["PATH_INFO"]
    # Django's admin form names the address "username", the site's sign-in "login".
    return client.post(form_url, {"username": email, "login": email, "password": password})


def test_admin_login_refuses_even_the_right_password_after_too_many_wrong_ones(client, settings):
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    operator = UserFactory(is_admin=True)

    for _ in range(5):
        admin_sign_in(client, operator.email, "not-the-password")
    response = admin_sign_in(client, operator.email, PASSWORD)

    assert not client.session.get("_auth_user_id")
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_admin_login_sends_to_the_site_sign_in_and_back_to_the_console(client):
    operator = UserFactory(is_admin=True)

    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('account_login')}?next=%2Fadmin%2F"

    response = client.post(f"{reverse('account_login')}?next=/admin/", {"login": operator.email, "password": PASSWORD})
    assert response.url == "/admin/"
    assert client.get(response.url).status_code == 200


def test_admin_login_refuses_a_signed_in_customer_instead_of_looping(client, subscriber):
    client.force_login(subscriber)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
