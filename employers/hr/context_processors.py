from django.utils.functional import SimpleLazyObject

from employers.selectors import memberships_for_staff


def staff(request):
    """The providers the signed-in HR user is attached to, for the provider-level menu.
    Lazy: pages that do not show the menu run no query."""

    def providers():
        user = getattr(request, "user", None)
        if user is None:
            return []
        return [m.provider for m in memberships_for_staff(user) if m.provider_id]

    return {"staff_providers": SimpleLazyObject(providers)}
