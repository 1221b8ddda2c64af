"""The account emails (confirm, reset, already registered) and the invitation's sign-up link."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from campaigns.lists.models import CreatorList, ListCollaborator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-Sturdy-passphrase-42"


def html_of(message) -> str:
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    return html


def link_in(text: str, path: str) -> str:
    return re.search(rf"https?://[^/\s]+({re.escape(path)}\S*)", text).group(1)


def test_signup_confirmation_email_is_ours_in_text_and_html(client):
    client.post(reverse("account_signup"), {"email": "maya@glowbotanics.com", "password1": NEW_PASSWORD,
                                            "password2": NEW_PASSWORD})

    [message] = mail.outbox
    assert message.subject == "Confirm your email to finish signing up for Creator Radar"
    assert "confirm maya@glowbotanics.com to finish signing up" in message.body
    assert "The link works for three days" in message.body
    link = link_in(message.body, "/accounts/confirm-email/")
    html = html_of(message)
    assert "Confirm my email" in html and link in html and "Creator Radar" in html
    # None of allauth's stock wording, nor the example site's name, is left.
    for stock in ("Hello from", "example.com", "You're receiving this email because user"):
        assert stock not in message.body and stock not in html

    assert client.post(link).status_code == 302
    assert User.objects.get(email="maya@glowbotanics.com").emailaddress_set.get().verified


def test_password_reset_email_is_ours_and_its_link_sets_a_new_password(client):
    user = UserFactory(email="ines@palmaskin.com")

    response = client.post(reverse("account_reset_password"), {"email": "Ines@PalmaSkin.com"})

    assert response.url == reverse("account_reset_password_done")
    [message] = mail.outbox
    assert message.to == ["ines@palmaskin.com"] and message.subject == "Reset your Creator Radar password"
    assert "The link works once, for three days" in message.body
    link = link_in(message.body, "/accounts/password/reset/key/")
    assert "Choose a new password" in html_of(message) and link in html_of(message)

    form_url = client.get(link).url  # allauth moves the key out of the address first
    page = client.get(form_url).content.decode()
    assert "Choose a new password" in page and "Confirm new password" in page
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_says_so_by_email_and_offers_a_trial(client):
    client.post(reverse("account_reset_password"), {"email": "nobody@palmaskin.com"})

    [message] = mail.outbox
    assert message.subject == "Someone asked to reset a Creator Radar password for this address"
    assert "no account uses this address" in message.body
    assert "/accounts/signup/" in message.body and "Start a free trial" in html_of(message)


def test_login_page_speaks_our_words_and_puts_errors_under_their_field(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "<h1>Log in</h1>" in page and "Keep me logged in" in page and "Forgot your password?" in page
    assert "Remember Me" not in page and "Sign In" not in page

    page = client.post(reverse("account_login"), {"login": "not-an-email", "password": ""}).content.decode()
    # Each error follows its own input, not the label above it.
    email_input = page.index('name="login"')
    email_error = page.index("Enter a valid email address.")
    password_input = page.index('name="password"')
    assert email_input < email_error < password_input
    assert page.index("This field is required.") > password_input


def test_signup_page_speaks_our_words(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert "Start your free trial" in page and ">Sign up</button>" in page and "Confirm password" in page
    assert "Sign Up" not in page and "Password (again)" not in page

    page = client.post(reverse("account_signup"), {"email": "maya@glowbotanics.com", "password1": NEW_PASSWORD,
                                                   "password2": "something-else-42"}).content.decode()
    assert page.index('name="password2"') < page.index("You must type the same password each time.")


def test_email_addresses_page_is_ours(client):
    user = UserFactory(email="maya@glowbotanics.com")
    client.force_login(user)
    client.post(reverse("account_email"), {"email": "maya@glowstudio.com", "action_add": ""})

    page = client.get(reverse("account_email")).content.decode()
    assert "Email addresses" in page and "Account settings" in page
    assert "maya@glowstudio.com" in page and "Not confirmed" in page
    [message] = mail.outbox
    assert message.subject == "Confirm your email for Creator Radar"
    assert "Confirm that maya@glowstudio.com is yours" in message.body


def test_list_invitation_opens_sign_up_with_the_address_filled_in_and_lands_on_the_list(
        client, make_subscriber, django_capture_on_commit_callbacks):
    owner = make_subscriber("viral_surge", email="owner@agency.com")
    creator_list = CreatorList.objects.create(owner=owner, name="Launch shortlist")
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("list_share", args=[creator_list.pk]), {"email": "New.Person@Studio.co",
                                                                    "role": "viewer"})
    client.logout()
    [invitation] = [m for m in mail.outbox if m.to == ["new.person@studio.co"]]
    signup_link = link_in(invitation.body, "/accounts/signup/")
    assert unescape(signup_link) in unescape(html_of(invitation))
    query = parse_qs(urlsplit(signup_link).query)
    assert query == {"email": ["new.person@studio.co"], "next": [f"/lists/{creator_list.pk}/"]}

    page = client.get(signup_link).content.decode()
    assert 'value="new.person@studio.co"' in page
    assert f'value="/lists/{creator_list.pk}/"' in page  # the redirect field carries the list

    client.post(signup_link, {"email": "new.person@studio.co", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                              "next": f"/lists/{creator_list.pk}/"})
    newcomer = User.objects.get(email="new.person@studio.co")
    assert ListCollaborator.objects.get().is_pending
    confirmation = next(m for m in mail.outbox if m.to == ["new.person@studio.co"] and "confirm-email" in m.body)

    response = client.post(link_in(confirmation.body, "/accounts/confirm-email/"))

    assert response.url == f"/lists/{creator_list.pk}/"
    assert ListCollaborator.objects.get(user=newcomer).role == "viewer"
    board = client.get(response.url)
    assert board.status_code == 200 and "Launch shortlist" in board.content.decode()


