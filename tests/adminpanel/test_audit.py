"""Every change an operator makes through the admin or an operator tool leaves exactly one audit row."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.models import User
from adminpanel.audit import AuditOutsideTransactionError, audit_log, audited
from adminpanel.models import AdminAction, BackgroundJobStatus, SystemConfiguration
from billing.models import SubscriptionPlan
from scraping.models import EndReason, JobStatus, ScrapingJob
from tests.factories import BackgroundJobFactory, ScrapingJobFactory, UserFactory

from .conftest import change_form_data, reported

pytestmark = pytest.mark.django_db

USERS = "admin:accounts_user_changelist"


def user_action(action: str, user: User, **fields) -> tuple[str, dict]:
    return reverse(USERS), {"action": action, "_selected_action": [user.pk], **fields}


def make_job(user: User, **fields) -> ScrapingJob:
    return ScrapingJobFactory(**{
        "user": user, "platform": "tiktok", "search_type": "keyword", "keywords": ["skincare"],
        "target_results": 100, **fields,
    })


def config_edit(client, operator, make_subscriber):
    setting = SystemConfiguration.objects.get(category="provider", key="retry_budget")
    return reverse("admin:adminpanel_systemconfiguration_change", args=[setting.pk]), {"value": "8"}


def promote(client, operator, make_subscriber):
    return user_action("promote_to_operator", UserFactory())


def demote(client, operator, make_subscriber):
    return user_action("demote_operator", UserFactory(is_admin=True))


def set_plan(client, operator, make_subscriber):
    return user_action("set_plan", UserFactory(), plan_key="viral_surge")


def extend_trial(client, operator, make_subscriber):
    return user_action("extend_trial", make_subscriber(), trial_days="5")


def reset_usage(client, operator, make_subscriber):
    return user_action("reset_usage", make_subscriber())


def resend_email(client, operator, make_subscriber):
    return user_action("resend_email", make_subscriber(), email_template="subscription_welcome")


def create_test_users(client, operator, make_subscriber):
    return reverse("admin:accounts_user_test_users"), {"create": "1", "scenarios": ["trial", "plan:glow_up"]}


def remove_all_test_users(client, operator, make_subscriber):
    UserFactory.create_batch(2, is_test_data=True)
    return reverse("admin:accounts_user_test_users"), {"remove_all": "1"}


def delete_selected_test_users(client, operator, make_subscriber):
    return user_action("delete_test_users", UserFactory(is_test_data=True))


def search_cancel(client, operator, make_subscriber):
    job = make_job(operator, status=JobStatus.PROCESSING)
    return reverse("admin:scraping_scrapingjob_changelist"), {"action": "cancel_selected", "_selected_action": [job.pk]}


def search_retry(client, operator, make_subscriber):
    job = make_job(make_subscriber(), status=JobStatus.ERROR, end_reason=EndReason.PROVIDER_UNAVAILABLE)
    return reverse("admin:scraping_scrapingjob_changelist"), {"action": "resume_selected", "_selected_action": [job.pk]}


def background_job_retry(client, operator, make_subscriber):
    job = BackgroundJobFactory(message_id="m-1", actor_name="jobs_sweep", queue_name="maintenance",
                                       status=BackgroundJobStatus.FAILED)
    return reverse("admin:adminpanel_backgroundjob_changelist"), {"action": "retry_selected",
                                                                  "_selected_action": [job.pk]}


def email_test_send(client, operator, make_subscriber):
    return reverse("admin:billing_email_test"), {"template": "payment_failed", "to": "qa@brand.example",
                                                 "delay_minutes": "0"}


def user_form_edit(client, operator, make_subscriber):
    user = UserFactory(full_name="Ann Lee")
    url = reverse("admin:accounts_user_change", args=[user.pk])
    # Everything the change form posts, as the browser would, with one field changed.
    return url, {**change_form_data(client, url), "full_name": "Ann Lee-Park"}


def plan_form_edit(client, operator, make_subscriber):
    plan = SubscriptionPlan.objects.get(plan_key="glow_up")
    url = reverse("admin:billing_subscriptionplan_change", args=[plan.pk])
    return url, {**change_form_data(client, url), "creators_limit": "1500"}


def user_delete(client, operator, make_subscriber):
    return reverse("admin:accounts_user_delete", args=[UserFactory().pk]), {"post": "yes"}


ACTIONS: list[tuple[Callable, str]] = [
    (config_edit, "config.change"),
    (promote, "user.promote"),
    (demote, "user.demote"),
    (set_plan, "user.set_plan"),
    (extend_trial, "user.extend_trial"),
    (reset_usage, "user.reset_usage"),
    (resend_email, "user.resend_email"),
    (create_test_users, "test_users.create"),
    (remove_all_test_users, "test_users.delete"),
    (delete_selected_test_users, "test_users.delete"),
    (search_cancel, "search.cancel"),
    (search_retry, "search.retry"),
    (background_job_retry, "background_job.retry"),
    (email_test_send, "email.test_send"),
    (user_form_edit, "accounts.user.change"),
    (plan_form_edit, "billing.subscriptionplan.change"),
    (user_delete, "accounts.user.delete"),
]


@pytest.mark.parametrize(("prepare", "action"), ACTIONS, ids=[action for _prepare, action in ACTIONS])
def test_audit_every_operator_action_writes_exactly_one_row(client, operator, make_subscriber, prepare, action):
    url, data = prepare(client, operator, make_subscriber)
    assert not AdminAction.objects.exists()

    response = client.post(url, data)

    assert response.status_code in (200, 302), response.content.decode()[:2000]
    if response.status_code == 200 and "adminform" in (response.context or {}):
        assert not response.context["adminform"].form.errors
    entries = list(AdminAction.objects.all())
    assert [(entry.action, entry.actor, entry.actor_email) for entry in entries] == [
        (action, operator, operator.email)]


def test_audit_row_keeps_what_changed_before_and_after(client, operator, make_subscriber):
    user = make_subscriber("glow_up")

    client.post(*user_action("set_plan", user, plan_key="fame_flex"))

    entry = AdminAction.objects.get()
    assert (entry.target_type, entry.target_id, entry.target_repr) == ("accounts.user", str(user.pk), user.email)
    assert (entry.before["plan"], entry.after["plan"]) == ("glow_up", "fame_flex")
    assert entry.before["status"] == entry.after["status"] == "trialing"


def test_audit_form_edit_records_changed_fields_and_hides_secrets(client, operator):
    url, data = user_form_edit(client, operator, None)

    client.post(url, data)

    entry = AdminAction.objects.get()
    assert entry.before == {"full_name": "Ann Lee"}
    assert entry.after == {"full_name": "Ann Lee-Park"}


def test_audit_form_saved_without_changes_writes_nothing(client, operator):
    url = reverse("admin:accounts_user_change", args=[UserFactory().pk])

    assert client.post(url, change_form_data(client, url)).status_code == 302

    assert not AdminAction.objects.exists()


def test_audit_refused_action_writes_nothing_and_says_why(client, operator):
    user = UserFactory()

    response = client.post(*user_action("extend_trial", user, trial_days="5"), follow=True)

    assert reported(response) == [f"{user.email} has no trial to extend."]
    assert not AdminAction.objects.exists()


def test_audit_log_is_read_only_in_the_admin(client, operator):
    client.post(*user_action("promote_to_operator", UserFactory()))
    entry = AdminAction.objects.get()
    change_url = reverse("admin:adminpanel_adminaction_change", args=[entry.pk])

    page = client.get(change_url)

    assert page.status_code == 200
    assert "user.promote" in page.content.decode()
    assert client.post(change_url, {"action": "hacked"}).status_code == 403
    assert client.get(reverse("admin:adminpanel_adminaction_add")).status_code == 403
    assert client.post(reverse("admin:adminpanel_adminaction_delete", args=[entry.pk]),
                       {"post": "yes"}).status_code == 403
    assert AdminAction.objects.get().action == "user.promote"


def test_audit_action_on_several_accounts_writes_one_row_for_each(client, operator, make_subscriber):
    users = [make_subscriber(), make_subscriber(), UserFactory()]

    client.post(reverse(USERS), {"action": "extend_trial", "_selected_action": [u.pk for u in users],
                                 "trial_days": "4"})

    # The third account has no trial: refused, so not logged.
    assert sorted(AdminAction.objects.values_list("action", "target_id")) == sorted(
        ("user.extend_trial", str(user.pk)) for user in users[:2])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_audit_row_is_written_in_the_transaction_of_the_change():
    # Nothing committed can be logged without its change, nor the other way round.
    with pytest.raises(AuditOutsideTransactionError):
        audit_log(actor=None, action="user.promote", summary="outside any transaction")

    with pytest.raises(RuntimeError), audited(actor=None, action="search.cancel") as change:
        change.summary = "Cancelled search #1"
        raise RuntimeError("the change failed half way")

    assert not AdminAction.objects.exists()


def test_audit_console_home_lists_the_latest_changes_of_every_operator(client, operator):
    colleague = UserFactory(is_admin=True, email="sam@ops.example")
    client.force_login(colleague)
    client.post(*user_action("promote_to_operator", UserFactory(email="new@ops.example")))
    client.force_login(operator)

    html = client.get(reverse("admin:index")).content.decode()

    entry = AdminAction.objects.get()
    assert reverse("admin:adminpanel_adminaction_change", args=[entry.pk]) in html
    assert "Promoted new@ops.example" in html
    assert "sam@ops.example" in html
