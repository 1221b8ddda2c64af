import pytest
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


def test_signup_accepts_work_email_and_starts_onboarding(client):
    response = signup(client, "maya@glowbotanics.com")
    assert response.status_code == 302
    assert response.url == reverse("onboarding")
    assert client.get(response.url).url == reverse("onboarding_info")


def test_signup_refuses_an_email_already_registered(client):
    User.objects.create_user("maya@glowbotanics.com", PASSWORD)
    response = signup(client, "Maya@GlowBotanics.com")
    assert User.objects.count() == 1
    # allauth answers as if it worked (no account enumeration) but never creates a second user.
    assert response.status_code in (200, 302)
