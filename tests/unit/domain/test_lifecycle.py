"""The recommendation lifecycle: every status x every action, allowed or refused."""

from __future__ import annotations

from collections import deque

import pytest

from crossdock.domain.lifecycle import (
    FINAL,
    TRANSITIONS,
    Action,
    InvalidTransition,
    Status,
    allowed_actions,
    next_status,
)

# the lifecycle, written out by hand: (status, action) -> status
EXPECTED = {
    ("proposed", "auto_approve"): "auto_approved",
    ("proposed", "request_approval"): "pending_approval",
    ("proposed", "cancel"): "cancelled",
    ("proposed", "expire"): "expired",
    ("pending_approval", "approve"): "approved",
    ("pending_approval", "modify"): "modified",
    ("pending_approval", "reject"): "rejected",
    ("pending_approval", "cancel"): "cancelled",
    ("pending_approval", "expire"): "expired",
    ("auto_approved", "execute"): "executing",
    ("auto_approved", "cancel"): "cancelled",
    ("auto_approved", "expire"): "expired",
    ("approved", "execute"): "executing",
    ("approved", "cancel"): "cancelled",
    ("approved", "expire"): "expired",
    ("modified", "execute"): "executing",
    ("modified", "approve"): "approved",
    ("modified", "modify"): "modified",
    ("modified", "reject"): "rejected",
    ("modified", "cancel"): "cancelled",
    ("modified", "expire"): "expired",
    ("executing", "commit"): "committed",
    ("executing", "fail"): "failed",
    ("executing", "cancel"): "cancelled",
    ("failed", "execute"): "executing",
    ("failed", "cancel"): "cancelled",
    ("committed", "reverse"): "reversed",
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(Action))
def test_every_status_and_action_is_allowed_exactly_as_written(status: Status, action: Action):
    expected = EXPECTED.get((status.value, action.value))
    if expected is None:
        with pytest.raises(InvalidTransition) as refused:
            next_status("R-7", status, action)
        assert refused.value.status is status
        assert refused.value.action is action
        assert str(refused.value).startswith(f"recommendation R-7 is {status}: cannot {action}")
    else:
        assert next_status("R-7", status, action) == expected


def test_the_table_holds_nothing_more_than_the_lifecycle():
    assert {(s.value, a.value): t.value for (s, a), t in TRANSITIONS.items()} == EXPECTED


def test_a_refusal_says_what_is_allowed_and_a_final_status_that_nothing_is():
    with pytest.raises(
        InvalidTransition, match=r"\(allowed: approve, reject, modify, cancel, expire\)"
    ):
        next_status("R-1", Status.PENDING_APPROVAL, Action.EXECUTE)
    with pytest.raises(InvalidTransition, match=r"\(allowed: none: it is final\)"):
        next_status("R-1", Status.REJECTED, Action.APPROVE)


def test_every_status_is_reachable_from_proposed_and_only_final_ones_lead_nowhere():
    seen, queue = {Status.PROPOSED}, deque([Status.PROPOSED])
    while queue:
        status = queue.popleft()
        for action in allowed_actions(status):
            moved = TRANSITIONS[(status, action)]
            if moved not in seen:
                seen.add(moved)
                queue.append(moved)
    assert seen == set(Status)
    assert {s for s in Status if not allowed_actions(s)} == FINAL
