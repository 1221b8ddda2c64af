"""Operator actions on the user list, which need billing and so cannot live in ``accounts.admin``.

The user admin of ``accounts`` is replaced by a subclass that adds the actions; each action calls
one ``do_*`` service per selected account and reports what it did and what it refused.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.admin import UserAdmin
from accounts.models import User
from billing.selectors import plan_get
from influencer_platform.errors import ApplicationError
from influencer_platform.formatting import plural

from . import customers, services
from .forms import CreateTestUsersForm, UserActionForm


def _accounts(count: int) -> str:
    return plural(count, "account")


def _test_users(count: int) -> str:
    return plural(count, "test user")


class OperatorUserAdmin(UserAdmin):
    action_form = UserActionForm
    actions = (
        "promote_to_operator", "demote_operator", "set_plan", "extend_trial", "reset_usage",
        "resend_email", "delete_test_users",
    )
    change_list_template = "admin/accounts/user/operator_change_list.html"

    def get_urls(self):
        urls = [path("test-users/", self.admin_site.admin_view(self.test_users_view), name="accounts_user_test_users")]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"customer_data": customers.customer_data_counts(int(object_id))} if str(object_id).isdigit() else {}
        return super().change_view(request, object_id, form_url, extra_context={**extra, **(extra_context or {})})

    def _each(self, request: HttpRequest, queryset, change: Callable[[User], object], *, done: str) -> None:
        """Run ``change`` per account; ``done`` reads like "Promoted {accounts}"."""
        changed, refused = [], []
        for user in queryset.order_by("pk"):
            try:
                change(user)
            except ApplicationError as exc:
                refused.append(exc.message)
            else:
                changed.append(user.email)
        if changed:
            accounts = f"{_accounts(len(changed))} ({', '.join(changed)})"
            self.message_user(request, done.replace("{accounts}", accounts) + ".", messages.SUCCESS)
        # A missing choice (no plan picked) refuses every account for the same reason: say it once.
        for reason in dict.fromkeys(refused):
            self.message_user(request, reason, messages.WARNING)

    @admin.action(description="Promote to operator")
    def promote_to_operator(self, request, queryset) -> None:
        self._each(request, queryset, lambda user: services.do_user_set_admin(
            actor=request.user, user=user, is_admin=True), done="Promoted {accounts}")

    @admin.action(description="Remove operator access")
    def demote_operator(self, request, queryset) -> None:
        self._each(request, queryset, lambda user: services.do_user_set_admin(
            actor=request.user, user=user, is_admin=False), done="Removed operator access from {accounts}")

    @admin.action(description="Set plan (choose it beside)")
    def set_plan(self, request, queryset) -> None:
        plan_key = request.POST.get("plan_key", "")
        plan = plan_get(plan_key=plan_key)
        self._each(request, queryset, lambda user: services.do_user_set_plan(
            actor=request.user, user=user, plan_key=plan_key),
            done=f"Moved {{accounts}} to {plan.name if plan else plan_key}")

    @admin.action(description="Extend trial (choose the days beside)")
    def extend_trial(self, request, queryset) -> None:
        try:
            days = int(request.POST.get("trial_days") or 0)
        except ValueError:
            days = 0
        self._each(request, queryset, lambda user: services.do_trial_extend(
            actor=request.user, user=user, days=days), done=f"Extended the trial of {{accounts}} by {days} days")

    @admin.action(description="Reset this month's creator usage")
    def reset_usage(self, request, queryset) -> None:
        self._each(request, queryset, lambda user: services.do_usage_reset(actor=request.user, user=user),
                   done="Reset this month's creator usage of {accounts}")

    @admin.action(description="Resend an email (choose it beside)")
    def resend_email(self, request, queryset) -> None:
        template = request.POST.get("email_template", "")
        self._each(request, queryset, lambda user: services.do_lifecycle_email_resend(
            actor=request.user, user=user, template=template), done=f"Resent the {template} email to {{accounts}}")

    @admin.action(description="Delete selected test users (keeps real ones)")
    def delete_test_users(self, request, queryset) -> None:
        selected = list(queryset.values_list("pk", "email", "is_test_data"))
        deleted = services.do_test_users_delete(
            actor=request.user, user_ids=[pk for pk, _email, _test in selected])
        if deleted:
            self.message_user(request, f"Deleted {_test_users(len(deleted))}.", messages.SUCCESS)
        kept = [email for _pk, email, is_test in selected if not is_test]
        if kept:
            self.message_user(request, f"Left alone {_accounts(len(kept))} that {'is' if len(kept) == 1 else 'are'} "
                                       f"not test data: {', '.join(kept)}.", messages.WARNING)

    def test_users_view(self, request: HttpRequest):
        """Create a set of realistic test accounts, or remove every one of them."""
        if not self.has_add_permission(request) or not self.has_delete_permission(request):
            return redirect("admin:index")
        changelist = reverse("admin:accounts_user_changelist")
        form = CreateTestUsersForm(request.POST if "create" in request.POST else None)
        if request.method == "POST" and "remove_all" in request.POST:
            deleted = services.do_test_users_delete(actor=request.user)
            done = f"Deleted {_test_users(len(deleted))}." if deleted else "There were no test users."
            self.message_user(request, done, messages.SUCCESS)
            return HttpResponseRedirect(changelist)
        if request.method == "POST" and form.is_valid():
            password = form.cleaned_data["password"] or services.password_for_test_users()
            try:
                users = services.do_test_users_create(
                    actor=request.user, scenarios=form.cleaned_data["scenarios"], password=password)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    f"Created {_test_users(len(users))}; "
                    f"{'it logs' if len(users) == 1 else 'they all log'} in with the password {password}",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(f"{changelist}?is_test_data__exact=1")
        context = {
            **self.admin_site.each_context(request),
            "title": "Test users",
            "opts": self.model._meta,
            "form": form,
            "test_user_count": User.objects.filter(is_test_data=True).count(),
        }
        return TemplateResponse(request, "admin/accounts/user/test_users.html", context)


admin.site.unregister(User)
admin.site.register(User, OperatorUserAdmin)
