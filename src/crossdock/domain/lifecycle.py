"""A recommendation's lifecycle: its statuses, the actions that move it, and the one
table of transitions every handler goes through (docs/governance.md).

    proposed --auto_approve--> auto_approved --execute--> executing
    proposed --request_approval--> pending_approval
        pending_approval --approve--> approved --execute--> executing
        pending_approval --modify--> modified --execute--> executing
        pending_approval --reject--> rejected
        modified --approve--> approved; modified --reject--> rejected;
        modified --modify--> modified (someone other than the modifier decides)
    executing --commit--> committed --reverse--> reversed
    executing --fail--> failed --execute--> executing (a retry)
    cancel: from any status before committed that is not final
    expire: from any status before executing (the data it relied on went stale)
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from crossdock.domain.errors import CrossdockError


class Status(StrEnum):
    PROPOSED = "proposed"
    AUTO_APPROVED = "auto_approved"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    MODIFIED = "modified"
    EXECUTING = "executing"
    COMMITTED = "committed"
    FAILED = "failed"
    REVERSED = "reversed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Action(StrEnum):
    AUTO_APPROVE = "auto_approve"
    REQUEST_APPROVAL = "request_approval"
    APPROVE = "approve"
    REJECT = "reject"
    MODIFY = "modify"
    EXECUTE = "execute"
    COMMIT = "commit"
    FAIL = "fail"
    REVERSE = "reverse"
    CANCEL = "cancel"
    EXPIRE = "expire"


_NOT_YET_EXECUTING = (
    Status.PROPOSED,
    Status.AUTO_APPROVED,
    Status.PENDING_APPROVAL,
    Status.APPROVED,
    Status.MODIFIED,
)

TRANSITIONS: Final[dict[tuple[Status, Action], Status]] = {
    (Status.PROPOSED, Action.AUTO_APPROVE): Status.AUTO_APPROVED,
    (Status.PROPOSED, Action.REQUEST_APPROVAL): Status.PENDING_APPROVAL,
    (Status.PENDING_APPROVAL, Action.APPROVE): Status.APPROVED,
    (Status.PENDING_APPROVAL, Action.MODIFY): Status.MODIFIED,
    (Status.PENDING_APPROVAL, Action.REJECT): Status.REJECTED,
    (Status.MODIFIED, Action.APPROVE): Status.APPROVED,
    (Status.MODIFIED, Action.MODIFY): Status.MODIFIED,
    (Status.MODIFIED, Action.REJECT): Status.REJECTED,
    (Status.AUTO_APPROVED, Action.EXECUTE): Status.EXECUTING,
    (Status.APPROVED, Action.EXECUTE): Status.EXECUTING,
    (Status.MODIFIED, Action.EXECUTE): Status.EXECUTING,
    (Status.EXECUTING, Action.COMMIT): Status.COMMITTED,
    (Status.EXECUTING, Action.FAIL): Status.FAILED,
    (Status.FAILED, Action.EXECUTE): Status.EXECUTING,
    (Status.COMMITTED, Action.REVERSE): Status.REVERSED,
    **{(status, Action.CANCEL): Status.CANCELLED for status in _NOT_YET_EXECUTING},
    (Status.EXECUTING, Action.CANCEL): Status.CANCELLED,
    (Status.FAILED, Action.CANCEL): Status.CANCELLED,
    **{(status, Action.EXPIRE): Status.EXPIRED for status in _NOT_YET_EXECUTING},
}

FINAL: Final[frozenset[Status]] = frozenset(
    {Status.REJECTED, Status.REVERSED, Status.CANCELLED, Status.EXPIRED}
)


class InvalidTransition(CrossdockError):
    """An action the recommendation's status does not allow."""

    def __init__(self, *, recommendation_id: str, status: Status, action: Action) -> None:
        self.recommendation_id = recommendation_id
        self.status = status
        self.action = action
        self.allowed = allowed_actions(status)
        choices = ", ".join(self.allowed) if self.allowed else "none: it is final"
        super().__init__(
            f"recommendation {recommendation_id} is {status}: cannot {action} (allowed: {choices})"
        )


def allowed_actions(status: Status) -> tuple[Action, ...]:
    """The actions `status` allows, in the order `Action` declares them."""
    return tuple(action for action in Action if (status, action) in TRANSITIONS)


def next_status(recommendation_id: str, status: Status, action: Action) -> Status:
    """The status `action` moves a recommendation in `status` to.

    Raises:
        InvalidTransition: `status` does not allow `action`, naming the recommendation,
            its status, the action and what it does allow.
    """
    moved = TRANSITIONS.get((status, action))
    if moved is None:
        raise InvalidTransition(recommendation_id=recommendation_id, status=status, action=action)
    return moved
