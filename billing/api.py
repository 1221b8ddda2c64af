from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_profile_get

from .selectors import CREATOR_COUNTING_RULE, plan_for_user, result_row_limit, trial_countdown, usage_meters


class PlanOutput(serializers.Serializer):
    plan_key = serializers.CharField()
    name = serializers.CharField()
    campaigns_limit = serializers.IntegerField(help_text="-1 = unlimited")
    creators_limit = serializers.IntegerField(help_text="Per month; -1 = unlimited")
    features = serializers.ListField(child=serializers.CharField())


class SubscriptionOutput(serializers.Serializer):
    status = serializers.CharField(source="subscription_status")
    trial_status = serializers.CharField()
    trial_ends_at = serializers.DateTimeField(allow_null=True)
    current_period_end = serializers.DateTimeField(allow_null=True)
    cancel_at_period_end = serializers.BooleanField(help_text="Set to end instead of renewing.")
    ends_at = serializers.DateTimeField(allow_null=True, help_text="When a plan set to end ends; null while it renews.")


class MeterOutput(serializers.Serializer):
    used = serializers.IntegerField()
    limit = serializers.IntegerField(help_text="-1 = unlimited")
    remaining = serializers.IntegerField(allow_null=True, help_text="null = unlimited")


class UsageOutput(serializers.Serializer):
    campaigns = MeterOutput()
    creators_this_month = MeterOutput(help_text=CREATOR_COUNTING_RULE)
    resets_on = serializers.DateField(allow_null=True)
    counting_rule = serializers.CharField(help_text="How creators are counted against the monthly limit.")
    trial_rows_per_search = serializers.IntegerField(
        allow_null=True, help_text="Rows of each search a trial sees (its searches stop there); null when not trialing.")


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk")
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    business_name = serializers.CharField(source="user.business_name")
    industry = serializers.CharField(source="user.industry")
    onboarding_step = serializers.CharField(source="user.onboarding_step")
    is_admin = serializers.BooleanField(source="user.is_platform_admin")
    plan = PlanOutput()
    subscription = SubscriptionOutput(source="user.subscription")
    trial_seconds_left = serializers.IntegerField(allow_null=True)
    usage = UsageOutput()


class MeApi(APIView):
    """The signed-in user: profile, plan, subscription, usage and limits."""

    @extend_schema(responses={200: MeOutput}, operation_id="me")
    def get(self, request):
        user = user_profile_get(user_id=request.user.pk)
        plan = plan_for_user(user=user)
        campaigns, creators = usage_meters(user=user, plan=plan)
        countdown = trial_countdown(subscription=user.subscription)
        me = {
            "user": user,
            "plan": plan,
            "trial_seconds_left": countdown.seconds_left if countdown else None,
            "usage": {
                "campaigns": campaigns,
                "creators_this_month": creators,
                "resets_on": user.usage.usage_reset_date,
                "counting_rule": CREATOR_COUNTING_RULE,
                "trial_rows_per_search": result_row_limit(user=user),
            },
        }
        return Response(MeOutput(me).data)
