from django.db.models import Q, QuerySet

from employers.models import AuditEvent, Employer, StaffMembership, StaffNotifications


def memberships_for_staff(user) -> list[StaffMembership]:
    """The user's memberships, read once per request (kept on the user object)."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_staff_memberships"):
        user._staff_memberships = list(
            StaffMembership.objects.filter(user=user).select_related("provider")
        )
    return user._staff_memberships


def employers_for_staff(user) -> QuerySet[Employer]:
    """Every employer the staff member may see: through their provider or directly."""
    memberships = memberships_for_staff(user)
    provider_ids = [m.provider_id for m in memberships if m.provider_id]
    employer_ids = [m.employer_id for m in memberships if m.employer_id]
    if not memberships:
        return Employer.objects.none()
    return Employer.objects.filter(
        Q(provider_id__in=provider_ids) | Q(id__in=employer_ids)
    ).select_related("provider")


def staff_can_manage(user, employer: Employer) -> bool:
    """Whether the staff member holds a managing role for this employer (directly or through
    its provider)."""
    return any(
        m.can_manage and (m.provider_id == employer.provider_id or m.employer_id == employer.id)
        for m in memberships_for_staff(user)
    )


def staff_sees_several_employers(user) -> bool:
    """Whether choosing an employer makes sense: staff of a provider, or of more than one
    employer. From the memberships read once per request: no query of its own."""
    memberships = memberships_for_staff(user)
    return any(m.provider_id for m in memberships) or len(memberships) > 1


def staff_can_manage_provider(user, provider_id: int) -> bool:
    return any(m.can_manage and m.provider_id == provider_id for m in memberships_for_staff(user))


def audit_events_for_employer(employer: Employer) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(employer=employer).select_related("employee")


def audit_events_for_employee(employee) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(employee=employee).select_related("employee")


def staff_notifications_of(user) -> StaffNotifications:
    """The user's mail settings; the defaults (not saved) when they never changed them."""
    found = StaffNotifications.objects.filter(user=user).first()
    return found or StaffNotifications(user=user)


def staff_managing_memberships() -> QuerySet[StaffMembership]:
    """The memberships of active staff with a mail address who may decide: whom a digest is for."""
    return (
        StaffMembership.objects.filter(role=StaffMembership.Role.MANAGER, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "pk")
    )
