"""What routing needs to know about a recommendation, and which workflow governs it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from crossdock.domain.errors import InvalidRecord
from crossdock.governance.policy.errors import UnknownWorkflow
from crossdock.governance.policy.schema import WORKFLOWS

KIND_WORKFLOWS: Final[Mapping[str, str]] = {
    "buy": "buy",
    "transfer": "transfer",
    "rebalance": "transfer",
    "expedite": "expedite",
    "defer": "po_change",
    "cancel": "po_change",
    "follow_up": "supplier_follow_up",
    "invoice_hold": "invoice_match",
    "receive_first": "receiving",
    "order_exception": "order_exception",
    "customer_message": "customer_message",
    "allocate": "allocation",
}


def workflow_for_kind(kind: str) -> str:
    """The workflow that governs a recommendation of `kind` (buy, rebalance, defer, ...).

    Raises:
        UnknownWorkflow: `kind` is not a recommendation kind, naming the known ones.
    """
    try:
        return KIND_WORKFLOWS[kind]
    except KeyError:
        raise UnknownWorkflow(
            field="recommendation kind", value=kind, known=tuple(KIND_WORKFLOWS)
        ) from None


@dataclass(frozen=True, slots=True)
class RecommendationFacts:
    """What routing knows about a recommendation. None means unknown, and an unknown
    fact never lets a recommendation run on its own."""

    recommendation_id: str
    workflow: str
    site: str
    value: float | None
    quantity: float | None
    change_vs_last_order: float | None
    customer_tier: str | None
    confidence: float | None
    risk: float | None

    def __post_init__(self) -> None:
        if self.workflow not in WORKFLOWS:
            raise UnknownWorkflow(field="workflow", value=self.workflow, known=WORKFLOWS)
        if self.confidence is not None and not 0.0 <= self.confidence <= 1.0:
            raise InvalidRecord(
                entity="recommendation",
                key=self.recommendation_id,
                field="confidence",
                value=self.confidence,
                reason="must be between 0 and 1",
            )
