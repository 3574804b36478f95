"""The settings a workflow has at a site once site file, enterprise workflow, enterprise
defaults and the built-in default are merged, key by key, in that order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from crossdock.governance.policy.schema import (
    AutoWhen,
    PolicyDocument,
    SecondApprover,
    Tier,
    WorkflowPolicy,
)

BUILT_IN: Final = "built-in default"
BUILT_IN_TIER: Final = Tier.RECOMMEND_ONLY
BUILT_IN_APPROVERS: Final = ("executive",)


@dataclass(frozen=True, slots=True)
class WorkflowSettings:
    """What one workflow gets at one site, before the facts and mandatory rules.

    `sources` names where each key came from, e.g. `{"tier": "workflows.buy (site BR01)"}`.
    """

    workflow: str
    site: str | None
    tier: Tier
    approvers: tuple[str, ...]
    auto_when: AutoWhen | None
    second_approver: SecondApprover | None
    locked: bool
    sources: dict[str, str]

    @property
    def rule(self) -> str:
        """The most specific layer that set any key: the site file's workflow, the
        enterprise workflow, the enterprise defaults, or the built-in default."""
        used = set(self.sources.values())
        return next((layer for layer in self.layers if layer in used), BUILT_IN)

    @property
    def layers(self) -> tuple[str, ...]:
        """The names of the layers merged, most specific first."""
        site = (f"workflows.{self.workflow} (site {self.site})",) if self.site else ()
        return (*site, f"workflows.{self.workflow}", "defaults", BUILT_IN)


def resolve(
    enterprise: PolicyDocument, site_file: PolicyDocument | None, workflow: str
) -> WorkflowSettings:
    """Merge `workflow`'s settings for the site of `site_file` (None: enterprise only).

    Each key is taken from the first layer that sets it (`null` counts for auto_when
    and second_approver, where it means none): the site
    file's workflow, the enterprise workflow, the enterprise defaults (tier and
    approvers only), then the built-in default: recommend_only (nothing runs and
    nobody is asked; executive is the approver should a tier be set without one).
    """
    layers: list[tuple[str, WorkflowPolicy]] = []
    if site_file is not None and (site_workflow := site_file.workflows.get(workflow)):
        layers.append((f"workflows.{workflow} (site {site_file.site})", site_workflow))
    enterprise_workflow = enterprise.workflows.get(workflow)
    if enterprise_workflow is not None:
        layers.append((f"workflows.{workflow}", enterprise_workflow))
    if enterprise.defaults is not None:
        defaults = enterprise.defaults
        layers.append(
            (
                "defaults",
                WorkflowPolicy.model_validate(defaults.model_dump(exclude_unset=True)),
            )
        )
    tier, tier_source = _pick(layers, "tier", null_clears=False)
    approvers, approvers_source = _pick(layers, "approvers", null_clears=False)
    auto_when, auto_when_source = _pick(layers, "auto_when")
    second_approver, second_source = _pick(layers, "second_approver")
    sources = {
        "tier": tier_source or BUILT_IN,
        "approvers": approvers_source or BUILT_IN,
        "auto_when": auto_when_source or BUILT_IN,
        "second_approver": second_source or BUILT_IN,
    }
    return WorkflowSettings(
        workflow=workflow,
        site=site_file.site if site_file is not None else None,
        tier=Tier(tier) if tier else BUILT_IN_TIER,
        approvers=tuple(dict.fromkeys(approvers or BUILT_IN_APPROVERS)),
        auto_when=auto_when,
        second_approver=second_approver,
        locked=enterprise_workflow.locked if enterprise_workflow is not None else False,
        sources=sources,
    )


def _pick(
    layers: list[tuple[str, WorkflowPolicy]], key: str, *, null_clears: bool = True
) -> tuple[Any, str | None]:
    """The value of `key` in the first layer that sets it, and that layer's name. A
    `null` sets it (to nothing) only when `null_clears`; else the next layer is asked."""
    for source, layer in layers:
        value = getattr(layer, key)
        if key in layer.model_fields_set and (value is not None or null_clears):
            return value, source
    return None, None
