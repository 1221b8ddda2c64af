from django.conf import settings


def product(request):
    return {
        "PRODUCT_NAME": "Creator Radar",
        "SITE_URL": settings.SITE_URL,
        # `make run` prints emails to its terminal; pages that wait for one say where to look.
        "EMAILS_PRINTED": settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend",
    }
