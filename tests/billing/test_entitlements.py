import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from accounts.models import UserUsage
from billing.models import CreatorReveal, Feature
from billing.services import (
    PlanLimitError,
    access_check,
    campaign_create_check,
    creators_check,
    feature_check,
    usage_reveal_creators,
    usage_record_campaign,
)
from scraping.models import CreatorProfile
from tests.factories import OnboardedUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def creators(count: int, *, start: int = 0) -> list[int]:
    """Ids of ``count`` creator profiles, as a search would have stored them."""
    return [CreatorProfile.objects.get_or_create(platform="tiktok", external_id=f"creator-{n}",
                                                 defaults={"handle": f"creator{n}"})[0].pk
            for n in range(start, start + count)]


def set_usage(user, **counters):
    UserUsage.objects.filter(user=user).update(**counters)
    user.refresh_from_db()
    user.usage.refresh_from_db()


def test_access_needs_finished_onboarding_and_a_subscription():
    not_onboarded = UserFactory()
    decision = access_check(user=not_onboarded)
    assert (decision.allowed, decision.code) == (False, "onboarding_incomplete")

    no_plan = OnboardedUserFactory(onboarding_step="completed")
    decision = access_check(user=no_plan)
    assert (decision.allowed, decision.code) == (False, "subscription_required")
    assert decision.recommended_plan.plan_key == "glow_up"


def test_access_ends_when_the_trial_has_run_out(subscriber):
    subscriber.subscription.trial_ends_at = timezone.now() - timedelta(minutes=1)
    subscriber.subscription.save()
    decision = access_check(user=subscriber)
    assert (decision.allowed, decision.code) == (False, "trial_expired")
    assert "trial has ended" in decision.reason


def test_campaign_check_explains_the_limit_and_recommends_the_next_plan(subscriber):
    set_usage(subscriber, campaigns_used=3)
    decision = campaign_create_check(user=subscriber)
    assert not decision.allowed
    assert decision.reason == ("Your Glow Up plan includes 3 campaigns and you have 3: delete one you no longer need, "
                               "or move to a plan with more.")
    assert decision.recommended_plan.plan_key == "viral_surge"


def test_creator_check_recommends_the_cheapest_plan_that_fits(subscriber):
    set_usage(subscriber, creators_used_this_month=900)
    assert creators_check(user=subscriber, count=100).allowed
    decision = creators_check(user=subscriber, count=500)
    assert not decision.allowed
    assert decision.remaining == 100
    assert "100 of 1,000 creators left this month" in decision.reason
    assert decision.recommended_plan.plan_key == "viral_surge"
    assert creators_check(user=subscriber, count=20_000).recommended_plan.plan_key == "fame_flex"


def test_unlimited_plan_allows_any_amount(make_customer):
    user = make_customer("fame_flex")
    set_usage(user, campaigns_used=500, creators_used_this_month=1_000_000)
    assert campaign_create_check(user=user).allowed
    assert creators_check(user=user, count=50_000).allowed
    assert usage_reveal_creators(user_id=user.pk, creator_ids=creators(30), shown_before=0).charged == 30


def test_feature_check_names_the_plan_with_the_feature(subscriber, make_subscriber):
    assert feature_check(user=subscriber, feature=Feature.CSV_EXPORT).allowed
    decision = feature_check(user=subscriber, feature=Feature.API)
    assert not decision.allowed
    assert decision.reason == "API access is not included in your Glow Up plan."
    assert decision.recommended_plan.plan_key == "fame_flex"
    assert feature_check(user=make_subscriber("fame_flex"), feature=Feature.API).allowed


def test_usage_record_campaign_counts_until_the_limit(subscriber):
    for _ in range(3):
        usage_record_campaign(user_id=subscriber.pk)
    with pytest.raises(PlanLimitError) as excinfo:
        usage_record_campaign(user_id=subscriber.pk)
    assert excinfo.value.code == "campaign_limit"
    assert excinfo.value.extra["recommended_plan"]["plan_key"] == "viral_surge"
    assert UserUsage.objects.get(user=subscriber).campaigns_used == 3


def test_usage_reveal_grants_only_what_is_left_of_the_month(make_customer):
    user = make_customer()
    set_usage(user, creators_used_this_month=990)
    reveal = usage_reveal_creators(user_id=user.pk, creator_ids=creators(25), shown_before=0)
    assert (len(reveal.creator_ids), reveal.charged, reveal.stopped_by) == (10, 10, "creator_limit")
    nothing_left = usage_reveal_creators(user_id=user.pk, creator_ids=creators(5, start=25), shown_before=10)
    assert (nothing_left.creator_ids, nothing_left.stopped_by) == ([], "creator_limit")
    assert UserUsage.objects.get(user=user).creators_used_this_month == 1000


def test_usage_reveal_counts_a_creator_once_per_month(make_customer):
    user = make_customer()
    first = usage_reveal_creators(user_id=user.pk, creator_ids=creators(20), shown_before=0)
    # A second search of the same month finds 12 of them again and 8 new ones.
    second = usage_reveal_creators(user_id=user.pk, creator_ids=creators(20, start=8), shown_before=0)
    assert (first.charged, len(second.creator_ids), second.charged) == (20, 20, 8)
    assert UserUsage.objects.get(user=user).creators_used_this_month == 28


def test_usage_reveal_a_creator_already_shown_is_free_even_at_the_limit(make_customer):
    user = make_customer()
    usage_reveal_creators(user_id=user.pk, creator_ids=creators(5), shown_before=0)
    set_usage(user, creators_used_this_month=1000)
    again = usage_reveal_creators(user_id=user.pk, creator_ids=creators(7), shown_before=0)
    assert (len(again.creator_ids), again.charged, again.stopped_by) == (5, 0, "creator_limit")


def test_usage_reveal_counts_again_in_a_new_month(make_customer):
    user = make_customer()
    usage_reveal_creators(user_id=user.pk, creator_ids=creators(10), shown_before=0)
    usage = UserUsage.objects.get(user=user)
    set_usage(user, creators_used_this_month=0, usage_reset_date=usage.usage_reset_date + timedelta(days=31))
    assert usage_reveal_creators(user_id=user.pk, creator_ids=creators(10), shown_before=0).charged == 10


def test_usage_reveal_a_trial_sees_and_pays_for_its_first_rows_only(subscriber):
    reveal = usage_reveal_creators(user_id=subscriber.pk, creator_ids=creators(20), shown_before=0)
    rest = usage_reveal_creators(user_id=subscriber.pk, creator_ids=creators(20, start=20), shown_before=20)
    assert (reveal.charged, reveal.stopped_by, reveal.row_limit) == (20, "", 25)
    assert (len(rest.creator_ids), rest.charged, rest.stopped_by) == (5, 5, "trial_rows")
    assert UserUsage.objects.get(user=subscriber).creators_used_this_month == 25
    assert CreatorReveal.objects.filter(user=subscriber).count() == 25


def _race(target, workers: int = 2) -> list:
    """Run ``target`` in ``workers`` threads released at the same instant; collect outcomes."""
    barrier = threading.Barrier(workers)
    outcomes: list = []

    def run():
        try:
            barrier.wait()
            outcomes.append(target())
        except PlanLimitError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_last_campaign_cannot_be_taken_twice_by_concurrent_requests(make_subscriber):
    user = make_subscriber()
    set_usage(user, campaigns_used=2)
    outcomes = _race(lambda: usage_record_campaign(user_id=user.pk).campaigns_used, workers=4)
    assert sorted(map(str, outcomes)) == ["3", "campaign_limit", "campaign_limit", "campaign_limit"]
    assert UserUsage.objects.get(user=user).campaigns_used == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_last_creator_unit_cannot_be_taken_twice_by_concurrent_searches(make_customer):
    user = make_customer()
    set_usage(user, creators_used_this_month=999)
    ids = iter([[pk] for pk in creators(4)])
    outcomes = _race(lambda: usage_reveal_creators(user_id=user.pk, creator_ids=next(ids), shown_before=0).charged,
                     workers=4)
    assert sorted(outcomes) == [0, 0, 0, 1]
    assert UserUsage.objects.get(user=user).creators_used_this_month == 1000


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_searches_revealing_the_same_creators_count_each_once(make_customer):
    user = make_customer()
    same = creators(15)
    outcomes = _race(lambda: usage_reveal_creators(user_id=user.pk, creator_ids=same, shown_before=0).charged,
                     workers=3)
    assert sorted(outcomes) == [0, 0, 15]
    assert UserUsage.objects.get(user=user).creators_used_this_month == 15
