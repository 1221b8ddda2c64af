import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import SubscriptionStatus, TrialStatus, User, UserBilling, UserSubscription
from adminpanel.models import AdminAction
from billing.models import BillingEvent, EventSource, TrialClaim
from billing.selectors import billing_history
from billing.services import access_check, campaign_create_check, creators_check
from scraping.models import ScrapingJob
from tests.factories import PASSWORD, ScrapingJobFactory, UserFactory

from .conftest import change_form_data, reported

pytestmark = pytest.mark.django_db

USERS = "admin:accounts_user_changelist"
TEST_USERS = "admin:accounts_user_test_users"


def act(client, action: str, users: list[User], **fields):
    return client.post(reverse(USERS), {"action": action, "_selected_action": [u.pk for u in users], **fields},
                       follow=True)


def subscription(user: User) -> UserSubscription:
    return UserSubscription.objects.get(user=user)


def test_user_promote_opens_the_console_and_demote_closes_it(client, operator):
    colleague = UserFactory(email="sam@ops.example")

    response = act(client, "promote_to_operator", [colleague])

    assert reported(response) == ["Promoted 1 account (sam@ops.example)."]
    colleague.refresh_from_db()
    assert colleague.is_platform_admin and colleague.is_staff
    act(client, "demote_operator", [colleague])
    colleague.refresh_from_db()
    assert not colleague.is_platform_admin


def test_user_operator_cannot_demote_themselves(client, operator):
    response = act(client, "demote_operator", [operator])

    assert reported(response) == ["You cannot remove your own operator access; ask another operator."]
    operator.refresh_from_db()
    assert operator.is_admin


def test_user_set_plan_gives_an_active_plan_without_payment(client, operator):
    user = UserFactory(onboarding_step="completed")

    response = act(client, "set_plan", [user], plan_key="viral_surge")

    assert reported(response) == [f"Moved 1 account ({user.email}) to Viral Surge."]
    state = subscription(user)
    assert (state.current_plan, state.subscription_status) == ("viral_surge", SubscriptionStatus.ACTIVE)
    assert state.current_period_end > timezone.now() + timedelta(days=27)
    user.refresh_from_db()
    assert access_check(user=user).allowed


def test_user_set_plan_on_a_trial_changes_the_plan_of_the_trial(client, operator, make_subscriber):
    user = make_subscriber("glow_up")
    ends = subscription(user).trial_ends_at

    act(client, "set_plan", [user], plan_key="fame_flex")

    state = subscription(user)
    assert (state.current_plan, state.subscription_status, state.trial_ends_at) == (
        "fame_flex", SubscriptionStatus.TRIALING, ends)


def test_user_set_plan_refuses_accounts_billed_by_stripe(client, operator):
    user = UserFactory()
    UserBilling.objects.filter(user=user).update(stripe_subscription_id="sub_123")

    response = act(client, "set_plan", [user], plan_key="glow_up")

    assert reported(response) == [f"{user.email} pays through Stripe: change the plan in Stripe instead."]
    assert subscription(user).current_plan == "free"


def test_user_extend_trial_moves_the_end_by_the_chosen_days(client, operator, make_subscriber):
    user = make_subscriber("glow_up")
    ends = subscription(user).trial_ends_at

    act(client, "extend_trial", [user], trial_days="10")

    assert subscription(user).trial_ends_at == ends + timedelta(days=10)


def test_user_extend_trial_moves_the_trial_ended_email_to_the_new_end(client, operator, make_subscriber):
    user = make_subscriber("glow_up")

    act(client, "extend_trial", [user], trial_days="3")

    ends = subscription(user).trial_ends_at
    user.system_data.refresh_from_db()
    entry = user.system_data.email_schedule_status["trial_expired"]
    assert (entry["status"], entry["due"]) == ("scheduled", ends.isoformat())


def test_user_extend_trial_revives_an_expired_trial_from_today(client, operator, make_subscriber):
    user = make_subscriber("glow_up")
    UserSubscription.objects.filter(user=user).update(
        trial_status=TrialStatus.EXPIRED, subscription_status=SubscriptionStatus.NONE,
        trial_ends_at=timezone.now() - timedelta(days=3))

    act(client, "extend_trial", [user], trial_days="2")

    state = subscription(user)
    assert state.subscription_status == SubscriptionStatus.TRIALING
    assert timedelta(days=1, hours=23) < state.trial_ends_at - timezone.now() <= timedelta(days=2)
    user.refresh_from_db()
    assert access_check(user=user).allowed


def test_user_reset_usage_gives_back_the_monthly_creators(client, operator, make_subscriber):
    user = make_subscriber("glow_up")
    user.usage.creators_used_this_month = 1000
    user.usage.save()
    user.refresh_from_db()
    assert not creators_check(user=user, count=1).allowed

    act(client, "reset_usage", [user])

    user.refresh_from_db()
    assert user.usage.creators_used_this_month == 0
    assert creators_check(user=user, count=1).allowed


def test_user_resend_email_sends_it_to_the_user_by_name(client, operator, make_subscriber):
    user = make_subscriber("viral_surge", full_name="Maya Chen")

    response = act(client, "resend_email", [user], email_template="subscription_welcome")

    assert reported(response) == [f"Resent the subscription_welcome email to 1 account ({user.email})."]
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert "Viral Surge" in mail.outbox[0].subject


def test_user_search_finds_by_email_name_and_business(client, operator):
    ann = UserFactory(email="ann@glow.example", full_name="Ann Lee", business_name="Glow Botanics")
    UserFactory(email="bo@other.example", full_name="Bo Park", business_name="Other Co")

    for term in ("ann@glow", "Ann Lee", "botanics"):
        found = client.get(reverse(USERS), {"q": term}).context["cl"].result_list
        assert list(found) == [ann], term


def test_user_change_page_shows_the_account_tables_inline(client, operator, make_subscriber):
    user = make_subscriber("glow_up")

    page = client.get(reverse("admin:accounts_user_change", args=[user.pk]))

    prefixes = [inline.formset.prefix for inline in page.context["inline_admin_formsets"]]
    assert prefixes == ["subscription", "billing", "usage", "system_data", "api_tokens"]


def test_test_users_cover_each_stage_plan_and_limit(client, operator):
    page = client.get(reverse(TEST_USERS))
    scenarios = page.context["form"].fields["scenarios"].initial

    response = client.post(reverse(TEST_USERS), {"create": "1", "scenarios": scenarios, "password": "qa-pass-2026"},
                           follow=True)

    assert reported(response) == [
        f"Created {len(scenarios)} test users; they all log in with the password qa-pass-2026"]
    created = {user.email.split("-", 1)[1].rsplit("-", 1)[0]: user
               for user in User.objects.filter(is_test_data=True).select_related("subscription", "usage")}
    assert set(created) == {
        "signed-up", "onboarded", "trial", "trial-ending", "trial-expired", "plan-glow-up", "plan-viral-surge",
        "plan-fame-flex", "at-limit-glow-up", "at-limit-viral-surge",
    }
    assert not created["signed-up"].is_onboarded
    assert created["onboarded"].is_onboarded and not access_check(user=created["onboarded"]).allowed
    assert created["trial"].subscription.is_trialing and access_check(user=created["trial"]).allowed
    assert created["trial-ending"].subscription.trial_ends_at - timezone.now() < timedelta(days=1)
    assert not access_check(user=created["trial-expired"]).allowed
    for plan in ("glow_up", "viral_surge", "fame_flex"):
        payer = created[f"plan-{plan.replace('_', '-')}"]
        assert (payer.subscription.current_plan, payer.subscription.subscription_status) == (plan, "active")
    at_limit = created["at-limit-glow-up"]
    assert not creators_check(user=at_limit, count=1).allowed
    assert not campaign_create_check(user=at_limit).allowed
    assert at_limit.campaigns.count() == 3
    assert client.login(email=created["trial"].email, password="qa-pass-2026")
    # Their addresses do not exist: no lifecycle email is left to go out to them.
    for user in created.values():
        user.system_data.refresh_from_db()
        statuses = {entry["status"] for entry in user.system_data.email_schedule_status.values()}
        assert "scheduled" not in statuses, user.email
    assert created["trial"].system_data.email_schedule_status["trial_day_2"]["status"] == "cancelled"


def test_test_user_cleanup_removes_only_test_data(client, operator, make_subscriber):
    real = make_subscriber("glow_up")
    ScrapingJobFactory(user=real, platform="tiktok", search_type="keyword", keywords=["yoga"],
                               target_results=50)
    client.post(reverse(TEST_USERS), {"create": "1", "scenarios": ["trial", "plan:viral_surge"]})
    test_users = list(User.objects.filter(is_test_data=True))
    ScrapingJobFactory(user=test_users[0], platform="tiktok", search_type="keyword", keywords=["x"],
                               target_results=50)
    everyone_else = set(User.objects.filter(is_test_data=False).values_list("pk", flat=True))
    assert len(test_users) == 2 and TrialClaim.objects.count() == 3

    response = client.post(reverse(TEST_USERS), {"remove_all": "1"}, follow=True)

    assert reported(response)[-1] == "Deleted 2 test users."
    assert set(User.objects.values_list("pk", flat=True)) == everyone_else
    assert list(TrialClaim.objects.values_list("user_id", flat=True)) == [real.pk]
    assert list(ScrapingJob.objects.values_list("user_id", flat=True)) == [real.pk]
    assert AdminAction.objects.filter(action="test_users.delete").count() == 1


def test_test_user_delete_action_leaves_real_accounts_alone(client, operator):
    real = UserFactory(email="real@brand.example")
    fake = UserFactory(email="fake@brand.example", is_test_data=True)

    response = act(client, "delete_test_users", [real, fake])

    assert reported(response) == [
        "Deleted 1 test user.", "Left alone 1 account that is not test data: real@brand.example."]
    assert User.objects.filter(pk=real.pk).exists()
    assert not User.objects.filter(pk=fake.pk).exists()


@pytest.mark.parametrize("url_name", [
    "admin:index", "admin:ops_overview", "admin:billing_email_test", TEST_USERS, USERS,
    "admin:adminpanel_systemconfiguration_changelist", "admin:adminpanel_adminaction_changelist",
    "admin:adminpanel_backgroundjob_changelist", "admin:adminpanel_workerheartbeat_changelist",
])
def test_non_admins_get_no_admin(client, subscriber, url_name):
    login = reverse("admin:login")
    assert client.get(reverse(url_name))["Location"].startswith(login)  # anonymous

    client.force_login(subscriber)
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"].startswith(login)


def test_non_admins_cannot_run_operator_actions(client, subscriber):
    target = UserFactory(password=PASSWORD)
    client.force_login(subscriber)

    client.post(reverse(USERS), {"action": "promote_to_operator", "_selected_action": [target.pk]})
    client.post(reverse(TEST_USERS), {"create": "1", "scenarios": ["trial"]})

    target.refresh_from_db()
    assert not target.is_admin
    assert not User.objects.filter(is_test_data=True).exists()
    assert not AdminAction.objects.exists()


def test_user_change_page_shows_account_tables_read_only_and_points_to_the_actions(client, operator,
                                                                                   make_subscriber):
    user = make_subscriber("glow_up")
    url = reverse("admin:accounts_user_change", args=[user.pk])

    page = client.get(url)

    html = page.content.decode()
    for name in ("subscription-0-current_plan", "usage-0-creators_used_this_month", "billing-0-stripe_customer_id",
                 "system_data-0-email_schedule_status", "is_admin", "is_superuser"):
        assert f'name="{name}"' not in html, name
    assert f"?id__exact={user.pk}" in html
    assert f"?user={user.pk}" in html
    # The lifecycle schedule reads as a table of emails, not as raw JSON.
    assert "<td>Trial day 2</td><td>scheduled</td>" in html

    # A forged post cannot change what only the actions may change.
    data = {**change_form_data(client, url), "is_admin": "on", "subscription-0-current_plan": "fame_flex",
            "usage-0-creators_used_this_month": "0"}
    client.post(url, data)

    user.refresh_from_db()
    user.subscription.refresh_from_db()
    assert (user.is_admin, user.subscription.current_plan) == (False, "glow_up")


def test_user_change_page_links_open_the_account_and_its_searches(client, operator):
    user = UserFactory()
    ScrapingJobFactory(user=user, platform="tiktok", search_type="keyword", keywords=["yoga"],
                               target_results=50)
    other = UserFactory()
    ScrapingJobFactory(user=other, platform="tiktok", search_type="keyword", keywords=["golf"],
                               target_results=50)

    accounts = client.get(reverse(USERS), {"id__exact": user.pk})
    searches = client.get(reverse("admin:scraping_scrapingjob_changelist"), {"user": user.pk})

    assert list(accounts.context["cl"].result_list) == [user]
    assert [job.user_id for job in searches.context["cl"].result_list] == [user.pk]
    # The sidebar says whose searches these are.
    sidebar = searches.content.decode().split('id="changelist-filter"', 1)[1]
    assert f"{user.email}</a>" in sidebar


def test_user_demote_refuses_an_operator_by_setting_and_promote_one_already_in(client, operator, settings):
    settings.ADMIN_EMAILS = ["lead@ops.example"]
    lead = UserFactory(email="lead@ops.example", is_admin=True)
    root = UserFactory(email="root@ops.example", is_superuser=True)

    demoted = act(client, "demote_operator", [lead])
    promoted = act(client, "promote_to_operator", [root])

    assert reported(demoted) == ["lead@ops.example stays an operator: the account is listed in ADMIN_EMAILS."]
    assert reported(promoted) == ["root@ops.example is already an operator."]
    lead.refresh_from_db()
    assert lead.is_admin
    assert not AdminAction.objects.exists()


def test_user_action_missing_its_choice_says_so_once(client, operator):
    users = UserFactory.create_batch(3)

    response = act(client, "set_plan", users, plan_key="")

    assert reported(response) == ["Choose one of the active plans."]
    assert not AdminAction.objects.exists()


def test_user_resend_email_that_cannot_be_delivered_is_reported_and_not_logged(client, operator, make_subscriber,
                                                                              settings):
    # A real SMTP backend pointed at a port where nothing listens: the delivery fails at the boundary.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    user = make_subscriber("glow_up")

    response = act(client, "resend_email", [user], email_template="trial_day_2")

    assert response.status_code == 200
    [message] = reported(response)
    assert message.startswith(f"The trial_day_2 email to {user.email} could not be sent (")
    assert not AdminAction.objects.exists()


def test_operator_billing_changes_appear_in_the_customers_billing_history(client, operator, make_subscriber):
    user = make_subscriber("glow_up")

    act(client, "extend_trial", [user], trial_days="5")
    act(client, "set_plan", [user], plan_key="viral_surge")
    act(client, "reset_usage", [user])

    history = [(entry.summary, entry.source) for entry in billing_history(user=user)]
    assert history[:3] == [
        ("Monthly creator allowance renewed", "Our team"),
        ("Plan changed from Glow Up to Viral Surge", "Our team"),
        ("Free trial of Glow Up extended by 5 days", "Our team"),
    ]
    assert BillingEvent.objects.filter(user=user, source=EventSource.ADMIN).count() == 3
