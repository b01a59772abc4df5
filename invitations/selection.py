"""Select and act (issue 16): HR ticks employees on the list, or takes every employee matching
the list's filter, and grants access, sends the invitation again, revokes it, or blocks or
unblocks the accounts.

First a preview sorts the selected employees by what will happen to them: acted on, or left out
with a reason. On confirm the same rules are applied again, to the selection as it is then. The
rules are not written here a second time: a grant or a resend is a GrantBatch, whose outcomes
are those of the collective grant (invitations.collective), with its progress page and report;
revoke, block and unblock follow the employee's access state (invitations.selectors) and call
the services of the one-employee actions, so their checks and audit rows are the same.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, CharField, Count, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employees.accounts.services import AccountError, account_block, account_unblock
from employees.models import Employee
from employers.models import Employer
from invitations.collective import SkipGroup, grant_outcome, resend_outcome
from invitations.models import GrantBatch, GrantBatchItem
from invitations.selectors import (
    AccessState,
    EmployeeFilters,
    access_state_q,
    employees_matching,
)
from invitations.services import (
    InvitationError,
    grant_batch_start_selected,
    invitation_revoke,
)

Outcome = GrantBatchItem.Outcome
# The outcome of the employees an action that is not a batch (revoke, block, unblock) acts on.
ACT = "act"
# At most this many ticked ids are read from a request: a page of the list has 25.
MAX_IDS = 500


class Skip:
    """Why revoke, block or unblock leaves someone out (grant and resend: Outcome)."""

    NO_ACCOUNT = "no_account"
    ALREADY_BLOCKED = "blocked"
    NOT_BLOCKED = "not_blocked"


LABELS = {
    **dict(Outcome.choices),
    Skip.NO_ACCOUNT: _("Has no account"),
    Skip.ALREADY_BLOCKED: _("Already blocked"),
    Skip.NOT_BLOCKED: _("Not blocked"),
}


def _by_access_state(act: list[str], skips: list[tuple[list[str], str]], default: str):
    """An outcome expression from the employee's access state."""

    def outcome(now) -> Case:
        def any_of(states):
            condition = access_state_q(states[0], now)
            for state in states[1:]:
                condition |= access_state_q(state, now)
            return condition

        return Case(
            When(any_of(act), then=Value(ACT)),
            *(When(any_of(states), then=Value(code)) for states, code in skips),
            default=Value(default),
            output_field=CharField(),
        )

    return outcome


# An open invitation: what revoking (and sending again) needs.
OPEN = [AccessState.INVITED, AccessState.EXPIRED, AccessState.LOCKED]
ACCOUNT = [AccessState.ACTIVE, AccessState.BLOCKED]


@dataclass(frozen=True)
class SelectionAction:
    outcome: Callable  # now -> an expression giving each employee's outcome
    act: str  # the outcome of the employees acted on
    skips: list[str]  # the reasons to leave someone out, in the preview's order
    batch_kind: str | None = None  # grant and resend run as a batch
    service: Callable | None = None  # the one-employee service (revoke, block, unblock)
    refusal: type[Exception] = Exception


ACTIONS = {
    "grant": SelectionAction(
        grant_outcome,
        Outcome.PLANNED,
        [
            Outcome.SKIPPED_END_DATE,
            Outcome.SKIPPED_NO_EMAIL,
            Outcome.SKIPPED_HAS_ACCOUNT,
            Outcome.SKIPPED_PENDING,
            Outcome.SKIPPED_LOCKED,
        ],
        batch_kind=GrantBatch.Kind.GRANT,
    ),
    "resend": SelectionAction(
        resend_outcome,
        Outcome.PLANNED,
        [Outcome.SKIPPED_HAS_ACCOUNT, Outcome.SKIPPED_NOT_INVITED],
        batch_kind=GrantBatch.Kind.RESEND,
    ),
    "revoke": SelectionAction(
        _by_access_state(
            OPEN, [(ACCOUNT, Outcome.SKIPPED_HAS_ACCOUNT)], Outcome.SKIPPED_NOT_INVITED
        ),
        ACT,
        [Outcome.SKIPPED_HAS_ACCOUNT, Outcome.SKIPPED_NOT_INVITED],
        service=invitation_revoke,
        refusal=InvitationError,
    ),
    "block": SelectionAction(
        _by_access_state(
            [AccessState.ACTIVE], [([AccessState.BLOCKED], Skip.ALREADY_BLOCKED)], Skip.NO_ACCOUNT
        ),
        ACT,
        [Skip.ALREADY_BLOCKED, Skip.NO_ACCOUNT],
        service=account_block,
        refusal=AccountError,
    ),
    "unblock": SelectionAction(
        _by_access_state(
            [AccessState.BLOCKED], [([AccessState.ACTIVE], Skip.NOT_BLOCKED)], Skip.NO_ACCOUNT
        ),
        ACT,
        [Skip.NOT_BLOCKED, Skip.NO_ACCOUNT],
        service=account_unblock,
        refusal=AccountError,
    ),
}


def employees_selected(
    employer: Employer, *, ids: list[int] | None = None, filters: EmployeeFilters | None = None
) -> QuerySet[Employee]:
    """The employees HR selected: every one matching the list's filters (evaluated here, now),
    or the ticked ids, of this employer only (anyone else's id is ignored)."""
    if filters is not None:
        return employees_matching(employer, filters)
    return Employee.objects.filter(employer=employer, pk__in=(ids or [])[:MAX_IDS])


@dataclass
class SelectionPreview:
    to_act: int
    names: list[str]  # of the first employees acted on
    skipped: list[SkipGroup]

    @property
    def more(self) -> int:
        return self.to_act - len(self.names)

    @property
    def skipped_total(self) -> int:
        return sum(group.count for group in self.skipped)


def selection_preview(
    action: str, employees: QuerySet[Employee], *, names_per_group: int = 50
) -> SelectionPreview:
    """What the action would do with the selected employees, before anything happens."""
    rules = ACTIONS[action]
    annotated = employees.annotate(outcome=rules.outcome(timezone.now()))
    counts = dict(annotated.values_list("outcome").annotate(n=Count("id")).order_by())

    def names(outcome) -> list[str]:
        sample = annotated.filter(outcome=outcome).order_by("last_name", "first_name", "pk")
        fields = ("first_name", "infix", "last_name")
        return [e.full_name for e in sample.only(*fields)[:names_per_group]]

    to_act = counts.get(rules.act, 0)
    groups = [
        SkipGroup(code, LABELS[code], counts[code], names(code))
        for code in rules.skips
        if counts.get(code)
    ]
    return SelectionPreview(to_act=to_act, names=names(rules.act) if to_act else [], skipped=groups)


@transaction.atomic
def selection_apply(
    action: str, *, employees: QuerySet[Employee], actor=None, ip_address=None
) -> int:
    """Revoke, block or unblock the selected employees the action applies to now, in one
    transaction, each through the one-employee service (its checks, its audit row, its mail).
    Returns how many were acted on."""
    rules = ACTIONS[action]
    # Take the rows first (as the one-employee services do), then decide who is eligible.
    list(
        Employee.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in=employees.values("pk"))
        .order_by("pk")
        .values_list("pk")
    )
    eligible = (
        employees.annotate(outcome=rules.outcome(timezone.now()))
        .filter(outcome=rules.act)
        .select_related("user", "employer__provider")
        .order_by("pk")
    )
    done = 0
    for employee in eligible.iterator(chunk_size=500):
        try:
            rules.service(employee=employee, actor=actor, ip_address=ip_address)
        except rules.refusal:
            continue  # changed meanwhile; the service left it as it was
        done += 1
    return done


def selection_start_batch(
    action: str, *, employer: Employer, employees: QuerySet[Employee], actor=None, request_key=None
) -> GrantBatch:
    """Grant access or send the invitation again to the selected employees, as a batch job."""
    return grant_batch_start_selected(
        employer=employer,
        employees=employees,
        kind=ACTIONS[action].batch_kind,
        actor=actor,
        request_key=request_key,
    )
