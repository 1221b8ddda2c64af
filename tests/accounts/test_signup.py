import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a-Sturdy-passphrase-42"


def signup(client, email):
    return client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})


@pytest.mark.parametrize("email", ["someone@mailinator.com", "x@inbox.yopmail.com", "Q@GuerrillaMail.com"])
def test_signup_refuses_disposable_email_domains(client, email):
    response = signup(client, email)
    assert response.status_code == 200
    assert "Disposable email addresses can&#x27;t be used" in response.content.decode()
    assert not User.objects.exists()


def test_signup_accepts_work_email_and_starts_onboarding_once_confirmed(client):
    response = signup(client, "maya@glowbotanics.com")
    assert response.url == reverse("account_email_verification_sent")

    message = mail.outbox[-1]
    assert message.to == ["maya@glowbotanics.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body).group(1)
    response = client.post(link)
    assert response.url == reverse("onboarding")
    assert client.get(response.url).url == reverse("onboarding_info")


def test_signup_answers_a_registered_address_as_it_answers_a_new_one(client):
    User.objects.create_user("maya@glowbotanics.com", PASSWORD)

    known = signup(client, "Maya@GlowBotanics.com")
    client.logout()
    unknown = signup(client, "ines@palmaskin.com")

    assert (known.status_code, known.headers.get("Location")) == (unknown.status_code, unknown.headers.get("Location"))
    assert known.url == reverse("account_email_verification_sent")
    assert User.objects.count() == 2
    # The owner is told someone tried; the newcomer gets the confirmation link.
    to_owner, to_newcomer = mail.outbox
    assert to_owner.to == ["maya@glowbotanics.com"] and to_owner.subject == "You already have a Creator Radar account"
    assert to_newcomer.to == ["ines@palmaskin.com"] and "/accounts/confirm-email/" in to_newcomer.body


def test_signup_check_your_email_page_says_where_a_local_server_puts_the_email(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    response = client.get(reverse("account_email_verification_sent"))
    assert "the link is in the terminal that runs it" in response.content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    response = client.get(reverse("account_email_verification_sent"))
    assert "terminal" not in response.content.decode()
