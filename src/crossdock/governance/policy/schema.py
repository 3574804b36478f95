"""The approval policy file format: workflows, roles, tiers and the pydantic models a
policy YAML document must match (docs/governance.md, "Approval policies").

Every model forbids unknown keys and is strict: `value_at_most: "5000"` is an error,
not a number, so a typo never silently changes who approves what.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

WorkflowName = Literal[
    "buy",
    "transfer",
    "expedite",
    "po_change",
    "allocation",
    "order_exception",
    "invoice_match",
    "customer_message",
    "supplier_follow_up",
    "receiving",
]
RoleName = Literal[
    "planner",
    "buyer",
    "warehouse_supervisor",
    "customer_service",
    "finance",
    "executive",
    "admin",
    "auditor",
]
TierName = Literal["recommend_only", "approval_required", "auto_execute"]

WORKFLOWS: Final[tuple[str, ...]] = get_args(WorkflowName)
KNOWN_ROLES: Final[tuple[str, ...]] = get_args(RoleName)
ANY_WORKFLOW: Final = "*"


class Tier(StrEnum):
    """How much a recommendation may do on its own, least autonomy first."""

    RECOMMEND_ONLY = "recommend_only"
    APPROVAL_REQUIRED = "approval_required"
    AUTO_EXECUTE = "auto_execute"

    @property
    def autonomy(self) -> int:
        """0 for recommend_only, 1 for approval_required, 2 for auto_execute."""
        return list(Tier).index(self)


def least_autonomous(*tiers: Tier) -> Tier:
    """The tier among `tiers` that lets a recommendation do the least on its own."""
    return min(tiers, key=lambda tier: tier.autonomy)


Money = Annotated[float, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]
Roles = Annotated[list[RoleName], Field(min_length=1)]
CustomerTiers = Annotated[list[str], Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class AutoWhen(_Strict):
    """Conditions that must all hold for `auto_execute`. `*_at_most` and `*_at_least`
    are inclusive; a fact that is unknown never satisfies a condition."""

    value_at_most: Money | None = None
    quantity_at_most: Annotated[float, Field(ge=0)] | None = None
    change_vs_last_order_at_most: float | None = None
    confidence_at_least: Share | None = None
    risk_at_most: Money | None = None
    customer_tiers: CustomerTiers | None = None


class SecondApprover(_Strict):
    """A second approval, by a different person in one of `roles`, when the value is
    above `above_value` (exclusive; no `above_value`: always)."""

    above_value: Money | None = None
    roles: Roles


class Defaults(_Strict):
    """What a workflow the enterprise file does not configure gets."""

    tier: TierName | None = None
    approvers: Roles | None = None


class WorkflowPolicy(_Strict):
    """One workflow's settings. Keys left out are inherited (site file, then enterprise
    workflow, then enterprise defaults); `null` clears `auto_when` or `second_approver`."""

    tier: TierName | None = None
    approvers: Roles | None = None
    auto_when: AutoWhen | None = None
    second_approver: SecondApprover | None = None
    locked: bool = False


class Workflows(_Strict):
    """Settings per workflow; a workflow left out uses `defaults`."""

    buy: WorkflowPolicy | None = None
    transfer: WorkflowPolicy | None = None
    expedite: WorkflowPolicy | None = None
    po_change: WorkflowPolicy | None = None
    allocation: WorkflowPolicy | None = None
    order_exception: WorkflowPolicy | None = None
    invoice_match: WorkflowPolicy | None = None
    customer_message: WorkflowPolicy | None = None
    supplier_follow_up: WorkflowPolicy | None = None
    receiving: WorkflowPolicy | None = None

    def get(self, workflow: str) -> WorkflowPolicy | None:
        """The settings of `workflow`, or None when the file leaves it out."""
        found: WorkflowPolicy | None = getattr(self, workflow, None)
        return found


class MandatoryWhen(_Strict):
    """When a mandatory rule applies: all given conditions hold. `*_above` and
    `confidence_below` are exclusive; an unknown fact counts as matching (fail safe)."""

    value_above: Money | None = None
    quantity_above: Annotated[float, Field(ge=0)] | None = None
    change_vs_last_order_above: float | None = None
    confidence_below: Share | None = None
    risk_above: Money | None = None
    customer_tiers: CustomerTiers | None = None


class MandatoryRequire(_Strict):
    """What a mandatory rule imposes. Setting `approvers` or `second_approver_roles`
    implies at most `approval_required`."""

    max_tier: TierName | None = None
    approvers: Roles | None = None
    second_approver_roles: Roles | None = None


class MandatoryRule(_Strict):
    """An enterprise rule no site file can loosen, applied last at routing."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
    description: str | None = None
    workflow: Annotated[list[Literal[WorkflowName, "*"]], Field(min_length=1)]
    when: MandatoryWhen = Field(default_factory=MandatoryWhen)
    require: MandatoryRequire

    @field_validator("workflow", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    def covers(self, workflow: str) -> bool:
        """True when the rule names `workflow` or `*`."""
        return ANY_WORKFLOW in self.workflow or workflow in self.workflow

    def capped_tier(self) -> Tier | None:
        """The most autonomous tier the rule allows, counting implied approval."""
        caps = [Tier(self.require.max_tier)] if self.require.max_tier else []
        if self.require.approvers or self.require.second_approver_roles:
            caps.append(Tier.APPROVAL_REQUIRED)
        return least_autonomous(*caps) if caps else None


class PolicyDocument(_Strict):
    """One policy file: the enterprise file, or one site's file."""

    policy: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
    version: Annotated[int, Field(ge=1)]
    scope: Literal["enterprise", "site"]
    site: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    extends: str | None = None
    description: str | None = None
    defaults: Defaults | None = None
    workflows: Workflows = Field(default_factory=Workflows)
    mandatory: list[MandatoryRule] = Field(default_factory=list)
