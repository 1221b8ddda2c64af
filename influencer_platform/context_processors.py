from django.conf import settings


def product(request):
    return {"PRODUCT_NAME": "Creator Radar", "SITE_URL": settings.SITE_URL}
