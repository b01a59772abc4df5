"""Reads for HR about access: each employee's access state (the list, its filters and search) and
the collective grants of an employer; and for the operator, how the outbox and the collective
grants are moving."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employees.models import Employee, fold_for_search
from essportal.models import User
from invitations.models import (
    BATCH_STALLED_AFTER,
    GrantBatch,
    GrantBatchItem,
    Invitation,
)


class AccessState(TextChoices):
    """Where an employee stands with the portal, as HR sees it (R4, R6, R11, R13)."""

    NO_EMAIL = "no_email", _("No email address")
    NO_ACCESS = "no_access", _("No access")
    INVITED = "invited", _("Invited")
    EXPIRED = "expired", _("Invitation expired")
    LOCKED = "locked", _("Invitation locked")
    UNDELIVERED = "undelivered", _("Invitation not delivered")
    ACTIVE = "active", _("Has access")
    BLOCKED = "blocked", _("Blocked")


SORTS = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
    "start": ("start_date", "id"),
    "-start": ("-start_date", "-id"),
    "end": ("end_date", "id"),
    "-end": ("-end_date", "-id"),
}
# A search that matches at most this many employees is listed from its matches (see below).
SEARCH_MATCH_LIMIT = 2000


def _unindexed_ordering(sort: str) -> list:
    """The same order, spelled so that no index can produce it: NULLS FIRST/LAST opposite to the
    indexes' order. The sorted columns are NOT NULL (end_date is not in these sorts), so the rows
    come out identical."""
    return [
        F(f[1:]).desc(nulls_last=True) if f.startswith("-") else F(f).asc(nulls_first=True)
        for f in SORTS[sort]
    ]


def _open_invitations():
    return Invitation.objects.filter(employee=OuterRef("pk")).open()


def _latest_invitation():
    """The employee's newest invitation: the open one when there is one (a new invitation is
    only made once the previous one is closed), else the one that ended last."""
    return Invitation.objects.filter(employee=OuterRef("pk")).order_by("-id")


def undelivered_last():
    later = Invitation.objects.filter(employee=OuterRef("employee"), pk__gt=OuterRef("pk"))
    return Invitation.objects.filter(
        employee=OuterRef("pk"), status=Invitation.Status.UNDELIVERED
    ).filter(~Exists(later))


def access_state_q(state: str, now) -> Q:
    """The employees in an access state, as a condition: the one place that says what each
    state means in queries (access_state_of says the same of one employee)."""
    no_account = Q(user__isnull=True)
    match state:
        case AccessState.ACTIVE:
            return Q(user__isnull=False, user__is_active=True)
        case AccessState.BLOCKED:
            return Q(user__isnull=False, user__is_active=False)
        case AccessState.LOCKED:
            return no_account & Exists(_open_invitations().filter(status=Invitation.Status.LOCKED))
        case AccessState.INVITED:
            return no_account & Exists(_open_invitations().valid(now))
        case AccessState.EXPIRED:
            return no_account & Exists(_open_invitations().expired(now))
        case AccessState.NO_EMAIL:
            return no_account & Q(email="") & ~Exists(_open_invitations())
        case AccessState.UNDELIVERED:
            return no_account & ~Q(email="") & Exists(undelivered_last())
        case AccessState.NO_ACCESS:
            return (
                no_account
                & ~Q(email="")
                & ~Exists(_open_invitations())
                & ~Exists(undelivered_last())
            )
    raise ValueError(state)


def access_state_of(
    employee: Employee, invitation: Invitation | None, now=None, *, account_is_active=None
) -> AccessState:
    """The state of one employee given their newest invitation (None when there is none)."""
    if employee.user_id:
        if account_is_active is None:
            account_is_active = employee.user.is_active
        return AccessState.ACTIVE if account_is_active else AccessState.BLOCKED
    status = invitation.status if invitation is not None else None
    if status == Invitation.Status.LOCKED:
        return AccessState.LOCKED
    if status == Invitation.Status.PENDING:
        return AccessState.EXPIRED if invitation.is_expired(now) else AccessState.INVITED
    if not employee.email:
        return AccessState.NO_EMAIL
    if status == Invitation.Status.UNDELIVERED:
        return AccessState.UNDELIVERED
    return AccessState.NO_ACCESS


def employees_in_access_state(state: str, *, employer=None) -> QuerySet[Employee]:
    employees = Employee.objects.filter(access_state_q(state, timezone.now()))
    return employees.filter(employer=employer) if employer is not None else employees


@dataclass
class EmployeeFilters:
    q: str = ""
    employment: str = ""  # "", "active", "left"
    access: str = ""  # an AccessState value or ""
    sort: str = "name"


def searched(employer, filters: EmployeeFilters) -> tuple[QuerySet[Employee], list[str]]:
    """The employer's employees matching the search and the employment filter."""
    employees = Employee.objects.filter(employer=employer)
    words = fold_for_search(filters.q).split()[:5]
    for word in words:
        employees = employees.filter(search_text__contains=word)
    if filters.employment == "active":
        employees = employees.filter(end_date__isnull=True)
    elif filters.employment == "left":
        employees = employees.filter(end_date__isnull=False)
    return employees, words


def employees_matching(employer, filters: EmployeeFilters) -> QuerySet[Employee]:
    """Every employee the list shows for these filters, all pages at once and unsorted: what
    HR selects with "all N employees matching this filter"."""
    employees, _words = searched(employer, filters)
    if filters.access in AccessState.values:
        employees = employees.filter(access_state_q(filters.access, timezone.now()))
    return employees


@dataclass(frozen=True)
class EmployerFigures:
    """The provider home's row of one employer: what each number links to is the employee list
    with the matching filter, so the numbers are those that list counts."""

    in_service: int = 0
    with_access: int = 0
    invited: int = 0


def employer_figures(employer_ids) -> dict[int, EmployerFigures]:
    """Per employer: employees in service, with access and invited. One grouped query, however
    many employers."""
    now = timezone.now()
    rows = (
        Employee.objects.filter(employer_id__in=list(employer_ids))
        .values("employer_id")
        .annotate(
            in_service=Count("pk", filter=Q(end_date__isnull=True)),
            with_access=Count("pk", filter=access_state_q(AccessState.ACTIVE, now)),
            invited=Count("pk", filter=access_state_q(AccessState.INVITED, now)),
        )
        .order_by()
    )
    return {
        row["employer_id"]: EmployerFigures(
            in_service=row["in_service"], with_access=row["with_access"], invited=row["invited"]
        )
        for row in rows
    }


def employee_list_for_employer(employer, filters: EmployeeFilters) -> QuerySet[Employee]:
    """The HR list: searched, filtered and sorted, with each row's access state attached."""
    now = timezone.now()
    # No join with the accounts: in a search PostgreSQL would join every match before the sort
    # picks a page (bench/hr_list.py). The account's state comes from a per-row subquery below,
    # which runs for the rows of the page only.
    employees, words = searched(employer, filters)
    if filters.access in AccessState.values:
        employees = employees.filter(access_state_q(filters.access, now))
    sort = filters.sort if filters.sort in SORTS else "name"
    ordering = SORTS[sort]
    if words and sort in {"name", "-name", "number", "-number"}:
        # A search for a name (or number) while sorting by name (or number): on PostgreSQL the
        # planner walks the (employer, last_name, first_name) index and filters, expecting the
        # matches spread evenly over it; but the matches of "meer" all sit together after every
        # name before M, so the walk reads half the employer's rows first (bench/hr_list.py;
        # figures in bench/README.md). So first ask, cheaply and without an order, whether the
        # matches are few (the trigram index of migration 0006 finds them directly). If so, sort
        # them without the index. If not, they are dense and the index walk soon finds a page.
        # (OFFSET LIMIT, LIMIT 1: the database skips the matches, nothing is sent back.)
        beyond_limit = employees.order_by().values_list("pk", flat=True)[
            SEARCH_MATCH_LIMIT : SEARCH_MATCH_LIMIT + 1
        ]
        if not list(beyond_limit):
            ordering = _unindexed_ordering(sort)
    latest = _latest_invitation()
    employees = employees.annotate(
        latest_invitation_status=Subquery(latest.values("status")[:1]),
        latest_invitation_expires_at=Subquery(latest.values("expires_at")[:1]),
        account_is_active=Subquery(
            User.objects.filter(pk=OuterRef("user_id")).values("is_active")[:1]
        ),
    )
    return employees.order_by(*ordering)


def access_state_from_annotations(employee: Employee, now=None) -> AccessState:
    """access_state_of for a row from employee_list_for_employer, without another query."""
    invitation = None
    if employee.latest_invitation_status:
        invitation = Invitation(
            status=employee.latest_invitation_status,
            expires_at=employee.latest_invitation_expires_at,
        )
    return access_state_of(employee, invitation, now, account_is_active=employee.account_is_active)


def current_invitation_for(employee: Employee) -> Invitation | None:
    """The invitation HR's panel shows: the open one, or the last one if its mail failed."""
    latest = Invitation.objects.filter(employee=employee).order_by("-id").first()
    shown = [*Invitation.OPEN_STATUSES, Invitation.Status.UNDELIVERED]
    return latest if latest is not None and latest.status in shown else None


def grant_batches_for_employer(employer) -> QuerySet[GrantBatch]:
    """The employer's collective grants, newest first."""
    return GrantBatch.objects.filter(employer=employer)


@dataclass(frozen=True)
class BatchMail:
    """Where the mails of a collective grant stand: the job is done once everyone is invited,
    but a mail is only sent once the provider has taken it (R11)."""

    sent: int
    waiting: int
    undelivered: int


_MAIL_SENT = {Invitation.MailStatus.SENT, Invitation.MailStatus.DELIVERED}
_MAIL_WAITING = {Invitation.MailStatus.QUEUED, Invitation.MailStatus.SENDING}


def grant_batch_mail(batch: GrantBatch) -> BatchMail:
    counts = dict(
        Invitation.objects.filter(batch=batch)
        .values_list("mail_status")
        .annotate(n=Count("id"))
        .order_by()
    )
    waiting = sum(counts.get(s, 0) for s in _MAIL_WAITING)
    sent = sum(counts.get(s, 0) for s in _MAIL_SENT)
    return BatchMail(sent=sent, waiting=waiting, undelivered=sum(counts.values()) - sent - waiting)


class BatchState(TextChoices):
    """Where a collective grant stands, as HR is told. `waiting` is a running batch whose worker
    has gone quiet: the outbox sweep restarts it once it has been quiet BATCH_STALLED_AFTER."""

    RUNNING = "running", _("Running")
    WAITING = "waiting", _("Waiting to resume")
    DONE = "done", _("Done")


def grant_batch_state(batch: GrantBatch, *, now: datetime.datetime | None = None) -> BatchState:
    """Running while a chunk has finished recently (every chunk moves `heartbeat_at`); waiting
    to resume from the moment the sweep would start it again, so that HR never sees "running"
    for a job nothing is running."""
    if batch.status == GrantBatch.Status.DONE:
        return BatchState.DONE
    now = now or timezone.now()
    if batch.heartbeat_at <= now - BATCH_STALLED_AFTER:
        return BatchState.WAITING
    return BatchState.RUNNING


def grant_batch_report_rows(batch: GrantBatch) -> QuerySet[GrantBatchItem]:
    """What happened to each employee, with only the columns the report shows."""
    return (
        GrantBatchItem.objects.filter(batch=batch)
        .select_related("employee")
        .only(
            "outcome",
            "employee__number",
            "employee__first_name",
            "employee__infix",
            "employee__last_name",
            "employee__email",
        )
        .order_by("pk")
    )


# --- For the operator's status ------------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    count: int
    # The oldest one's moment: when its mail was due, or when its collective grant last moved.
    oldest: datetime.datetime | None


def invitations_overdue_in_outbox(*, now, overdue_by: datetime.timedelta) -> Backlog:
    """Pending invitations whose mail is still queued (or stuck sending) this long after it was
    due: past the grace after granting or the backoff after a failure, the sweep should have
    sent it within a minute."""
    row = Invitation.objects.filter(
        status=Invitation.Status.PENDING,
        mail_status__in=[Invitation.MailStatus.QUEUED, Invitation.MailStatus.SENDING],
        mail_next_attempt_at__lte=now - overdue_by,
    ).aggregate(count=Count("pk"), oldest=Min("mail_next_attempt_at"))
    return Backlog(count=row["count"], oldest=row["oldest"])


def invitation_mails_failed_since(since) -> int:
    """Invitation mails given up on (after the retries, refused, or failed per the provider)."""
    return Invitation.objects.filter(
        mail_status=Invitation.MailStatus.FAILED, mail_updated_at__gte=since
    ).count()


def grant_batches_stalled(*, now, quiet_for: datetime.timedelta) -> Backlog:
    """Running collective grants that have not moved for this long."""
    row = GrantBatch.objects.filter(
        status=GrantBatch.Status.RUNNING, heartbeat_at__lte=now - quiet_for
    ).aggregate(count=Count("pk"), oldest=Min("heartbeat_at"))
    return Backlog(count=row["count"], oldest=row["oldest"])
