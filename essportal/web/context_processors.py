from django.conf import settings


def site(request):
    # Pages that state how long an invitation link works follow the setting (R11).
    return {
        "SITE_NAME": settings.SITE_NAME,
        "INVITATION_VALID_DAYS": settings.INVITATION_VALID_DAYS,
    }
