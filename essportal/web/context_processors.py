from django.conf import settings


def site(request):
    # Pages that state how long an invitation link works (R11) or a lockout lasts follow the
    # settings.
    return {
        "SITE_NAME": settings.SITE_NAME,
        "INVITATION_VALID_DAYS": settings.INVITATION_VALID_DAYS,
        "LOGIN_COOLOFF_MINUTES": round(settings.AXES_COOLOFF_TIME * 60),
    }
