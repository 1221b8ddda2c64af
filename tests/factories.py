import factory

from accounts.models import OnboardingStep, User

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
