import uuid

import factory
from django.utils import timezone

from accounts.models import OnboardingStep, User
from adminpanel.models import AdminAction, BackgroundJob, BackgroundJobStatus, WorkerHeartbeat
from campaigns.models import Campaign
from scraping.models import CreatorProfile, JobCreator, Platform, ScrapingJob, SearchType

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@brand{n}.com")
    full_name = factory.Faker("name")
    business_name = factory.Faker("company")
    industry = "beauty"

    @classmethod
    def _create(cls, model_class, *args, password: str = PASSWORD, **kwargs):
        return model_class.objects.create_user(*args, password=password, **kwargs)


class OnboardedUserFactory(UserFactory):
    """Onboarding done up to the plan step; ``trial_start`` then gives access."""

    brand_description = "Vegan skincare for teenagers; we want beauty creators."
    onboarding_step = OnboardingStep.PLAN_SELECTED


# Each factory fills in only what its model requires and has no default for, so a test that names
# a field gets exactly what it asked for and the model's own defaults everywhere else.


class CreatorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreatorProfile

    platform = Platform.TIKTOK
    external_id = factory.Sequence(lambda n: f"ext-{n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")


class ScrapingJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScrapingJob

    user = factory.SubFactory(UserFactory)
    platform = Platform.TIKTOK
    search_type = SearchType.KEYWORD
    target_results = 100


class JobCreatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobCreator

    job = factory.SubFactory(ScrapingJobFactory)
    creator = factory.SubFactory(CreatorProfileFactory)
    rank = factory.Sequence(lambda n: n + 1)


class BackgroundJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BackgroundJob

    message_id = factory.LazyFunction(lambda: uuid.uuid4().hex)
    actor_name = "jobs_sweep"
    queue_name = "maintenance"
    status = BackgroundJobStatus.DONE


class WorkerHeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerHeartbeat

    worker_id = factory.LazyFunction(lambda: uuid.uuid4().hex)
    hostname = "worker-1"
    pid = factory.Sequence(lambda n: 1000 + n)
    started_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)


class AdminActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminAction

    action = "user.set_plan"
