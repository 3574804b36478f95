"""Approval policies as code: versioned YAML files validated against a schema, and the
routing of a recommendation to a tier and its approvers (docs/governance.md,
"Approval policies").

    policy = load_policy(Path("enterprise.yaml"), Path("site-BR01.yaml"))
    routing = route(policy, facts)   # tier, rule, reasons, approver roles, version
"""

from crossdock.governance.policy.errors import PolicyError, Problem, UnknownWorkflow
from crossdock.governance.policy.facts import (
    KIND_WORKFLOWS,
    RecommendationFacts,
    workflow_for_kind,
)
from crossdock.governance.policy.loading import (
    PolicySet,
    demo_policy_text,
    load_demo_policy,
    load_policy,
)
from crossdock.governance.policy.routing import Routing, explain, route
from crossdock.governance.policy.schema import (
    KNOWN_ROLES,
    WORKFLOWS,
    PolicyDocument,
    Tier,
    least_autonomous,
)
from crossdock.governance.policy.settings import WorkflowSettings

__all__ = [
    "KIND_WORKFLOWS",
    "KNOWN_ROLES",
    "WORKFLOWS",
    "PolicyDocument",
    "PolicyError",
    "PolicySet",
    "Problem",
    "RecommendationFacts",
    "Routing",
    "Tier",
    "UnknownWorkflow",
    "WorkflowSettings",
    "demo_policy_text",
    "explain",
    "least_autonomous",
    "load_demo_policy",
    "load_policy",
    "route",
    "workflow_for_kind",
]
