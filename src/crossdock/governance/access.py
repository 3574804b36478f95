"""Who may do what: roles, activities, the permission matrix, principals, `authorize`
and segregation of duties (docs/governance.md).

A person's rights are the union of their roles' rows in `PERMISSIONS`, limited to their
sites. Deciding on a recommendation (propose, approve, reject, modify, cancel, reverse)
is granted per workflow: a buyer approves buys, not transfers. An agent may do exactly
the activities it declares, and only those an agent may ever do (`AGENT_ACTIVITIES`):
never a decision. The system principal runs the lifecycle's own steps and scheduled
jobs, and never decides either.

    authorize(principal, "approve", workflow="buy", site="BR01")   # or raises NotAllowed
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

from crossdock.domain.errors import CrossdockError
from crossdock.domain.lifecycle import Action


class Role(StrEnum):
    PLANNER = "planner"
    BUYER = "buyer"
    WAREHOUSE_SUPERVISOR = "warehouse_supervisor"
    CUSTOMER_SERVICE = "customer_service"
    FINANCE = "finance"
    EXECUTIVE = "executive"
    ADMIN = "admin"
    AUDITOR = "auditor"


class Activity(StrEnum):
    """Everything access is checked for: the lifecycle's actions, by the same values as
    `crossdock.domain.lifecycle.Action`, and the activities around them."""

    AUTO_APPROVE = Action.AUTO_APPROVE.value
    REQUEST_APPROVAL = Action.REQUEST_APPROVAL.value
    APPROVE = Action.APPROVE.value
    REJECT = Action.REJECT.value
    MODIFY = Action.MODIFY.value
    EXECUTE = Action.EXECUTE.value
    COMMIT = Action.COMMIT.value
    FAIL = Action.FAIL.value
    REVERSE = Action.REVERSE.value
    CANCEL = Action.CANCEL.value
    EXPIRE = Action.EXPIRE.value
    PROPOSE = "propose"  # create a recommendation
    VIEW_RECOMMENDATIONS = "view_recommendations"
    VIEW_AUDIT = "view_audit"
    VERIFY_AUDIT = "verify_audit"
    EXPORT_AUDIT = "export_audit"
    PURGE_AUDIT = "purge_audit"  # remove entries past retention, after archiving them
    MANAGE_USERS = "manage_users"
    MANAGE_POLICY = "manage_policy"
    RUN_PLAN = "run_plan"
    IMPORT_DATA = "import_data"
    SCORE_OUTCOMES = "score_outcomes"
    VIEW_KPIS = "view_kpis"


WORKFLOWS: Final[tuple[str, ...]] = (
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
)

# Granted per workflow: a role holds these for the workflows it owns.
WORKFLOW_ACTIVITIES: Final[frozenset[Activity]] = frozenset(
    {
        Activity.PROPOSE,
        Activity.APPROVE,
        Activity.REJECT,
        Activity.MODIFY,
        Activity.CANCEL,
        Activity.REVERSE,
    }
)


@dataclass(frozen=True, slots=True)
class RoleGrants:
    """One role's row of the matrix.

    Attributes:
        per_workflow: activities of `WORKFLOW_ACTIVITIES`, each with the workflows the
            role holds it for.
        general: activities not tied to a workflow.
    """

    per_workflow: Mapping[Activity, tuple[str, ...]]
    general: frozenset[Activity]


# The workflows each operational role owns: it proposes, decides, withdraws and undoes
# recommendations there.
PLANNER_WORKFLOWS: Final = ("buy", "transfer")
BUYER_WORKFLOWS: Final = ("buy", "expedite", "po_change", "supplier_follow_up")
SUPERVISOR_WORKFLOWS: Final = ("transfer", "allocation", "receiving")
CUSTOMER_SERVICE_WORKFLOWS: Final = ("order_exception", "customer_message", "allocation")
FINANCE_WORKFLOWS: Final = ("invoice_match",)

_VIEW = frozenset({Activity.VIEW_RECOMMENDATIONS, Activity.VIEW_KPIS})

PERMISSIONS: Final[Mapping[Role, RoleGrants]] = {
    Role.PLANNER: RoleGrants(
        per_workflow={
            Activity.PROPOSE: PLANNER_WORKFLOWS,
            Activity.APPROVE: PLANNER_WORKFLOWS,
            Activity.REJECT: PLANNER_WORKFLOWS,
            Activity.MODIFY: PLANNER_WORKFLOWS,
            Activity.CANCEL: PLANNER_WORKFLOWS,
            Activity.REVERSE: PLANNER_WORKFLOWS,
        },
        general=_VIEW | {Activity.RUN_PLAN},
    ),
    Role.BUYER: RoleGrants(
        per_workflow={
            Activity.PROPOSE: BUYER_WORKFLOWS,
            Activity.APPROVE: BUYER_WORKFLOWS,
            Activity.REJECT: BUYER_WORKFLOWS,
            Activity.MODIFY: BUYER_WORKFLOWS,
            Activity.CANCEL: BUYER_WORKFLOWS,
            Activity.REVERSE: BUYER_WORKFLOWS,
        },
        general=_VIEW,
    ),
    Role.WAREHOUSE_SUPERVISOR: RoleGrants(
        per_workflow={
            Activity.PROPOSE: SUPERVISOR_WORKFLOWS,
            Activity.APPROVE: SUPERVISOR_WORKFLOWS,
            Activity.REJECT: SUPERVISOR_WORKFLOWS,
            Activity.MODIFY: SUPERVISOR_WORKFLOWS,
            Activity.CANCEL: SUPERVISOR_WORKFLOWS,
            Activity.REVERSE: SUPERVISOR_WORKFLOWS,
        },
        general=_VIEW,
    ),
    Role.CUSTOMER_SERVICE: RoleGrants(
        per_workflow={
            Activity.PROPOSE: CUSTOMER_SERVICE_WORKFLOWS,
            Activity.APPROVE: CUSTOMER_SERVICE_WORKFLOWS,
            Activity.REJECT: CUSTOMER_SERVICE_WORKFLOWS,
            Activity.MODIFY: CUSTOMER_SERVICE_WORKFLOWS,
            Activity.CANCEL: CUSTOMER_SERVICE_WORKFLOWS,
            Activity.REVERSE: CUSTOMER_SERVICE_WORKFLOWS,
        },
        general=_VIEW,
    ),
    Role.FINANCE: RoleGrants(
        per_workflow={
            Activity.PROPOSE: FINANCE_WORKFLOWS,
            Activity.APPROVE: FINANCE_WORKFLOWS,
            Activity.REJECT: FINANCE_WORKFLOWS,
            Activity.MODIFY: FINANCE_WORKFLOWS,
            Activity.CANCEL: FINANCE_WORKFLOWS,
            Activity.REVERSE: FINANCE_WORKFLOWS,
        },
        general=_VIEW | {Activity.VIEW_AUDIT, Activity.EXPORT_AUDIT},
    ),
    # the second approver on anything; neither proposes nor changes what others propose
    Role.EXECUTIVE: RoleGrants(
        per_workflow={
            Activity.APPROVE: WORKFLOWS,
            Activity.REJECT: WORKFLOWS,
        },
        general=_VIEW | {Activity.VIEW_AUDIT},
    ),
    # runs the installation; decides nothing
    Role.ADMIN: RoleGrants(
        per_workflow={},
        general=_VIEW
        | {
            Activity.VIEW_AUDIT,
            Activity.VERIFY_AUDIT,
            Activity.PURGE_AUDIT,
            Activity.MANAGE_USERS,
            Activity.MANAGE_POLICY,
            Activity.RUN_PLAN,
            Activity.IMPORT_DATA,
            Activity.SCORE_OUTCOMES,
        },
    ),
    # reads everything, changes nothing
    Role.AUDITOR: RoleGrants(
        per_workflow={},
        general=_VIEW | {Activity.VIEW_AUDIT, Activity.VERIFY_AUDIT, Activity.EXPORT_AUDIT},
    ),
}

# The most an agent may ever do; an agent holds the subset it declares.
AGENT_ACTIVITIES: Final[frozenset[Activity]] = frozenset(
    {
        Activity.IMPORT_DATA,  # connector accounts feed events and records
        Activity.PROPOSE,
        Activity.VIEW_RECOMMENDATIONS,
        Activity.REQUEST_APPROVAL,
        Activity.AUTO_APPROVE,
        Activity.EXPIRE,
        Activity.EXECUTE,
        Activity.COMMIT,
        Activity.FAIL,
    }
)

# The system principal: the lifecycle's own steps (cancel and reverse when the ERP
# reports them), plus the scheduled jobs. Every workflow, every site; no decisions.
SYSTEM_ACTIVITIES: Final[frozenset[Activity]] = frozenset(
    {
        Activity.PROPOSE,
        Activity.VIEW_RECOMMENDATIONS,
        Activity.AUTO_APPROVE,
        Activity.REQUEST_APPROVAL,
        Activity.EXECUTE,
        Activity.COMMIT,
        Activity.FAIL,
        Activity.CANCEL,
        Activity.REVERSE,
        Activity.EXPIRE,
        Activity.RUN_PLAN,
        Activity.IMPORT_DATA,
        Activity.SCORE_OUTCOMES,
        Activity.VERIFY_AUDIT,
    }
)

PrincipalKind = Literal["person", "agent", "system"]
_KINDS: Final[tuple[str, ...]] = ("person", "agent", "system")


class InvalidPrincipal(CrossdockError):
    """A principal whose fields contradict each other or name unknown roles/activities."""

    def __init__(self, *, username: str, reason: str) -> None:
        self.username = username
        self.reason = reason
        super().__init__(f"principal {username!r}: {reason}")


class UnknownName(CrossdockError):
    """An activity, role or workflow name the access rules do not know."""

    def __init__(self, *, kind: str, value: object, known: Collection[str]) -> None:
        self.kind = kind
        self.value = value
        self.known = tuple(known)
        super().__init__(f"unknown {kind} {value!r} (known: {', '.join(self.known)})")


@dataclass(frozen=True, slots=True)
class Principal:
    """Someone or something acting: a person, an agent account, or the system.

    Attributes:
        username: unique login or account name.
        kind: person, agent or system.
        roles: a person's roles (strings are accepted and checked); agents and the
            system hold none.
        sites: the location codes the principal acts for; None means every site.
        agent_actions: an agent's declared activities; None for people and the system.
        agent_data: the data an agent may read ("demand", "inventory",
            "purchase_orders", "supplier_cost", "customer_pricing", ...); None for
            people and the system.
    """

    username: str
    kind: PrincipalKind
    roles: frozenset[Role] = frozenset()
    sites: frozenset[str] | None = None
    agent_actions: frozenset[str] | None = None
    agent_data: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if not self.username.strip():
            raise InvalidPrincipal(username=self.username, reason="username is empty")
        if self.kind not in _KINDS:
            raise InvalidPrincipal(
                username=self.username,
                reason=f"kind {self.kind!r} is not one of {', '.join(_KINDS)}",
            )
        object.__setattr__(self, "roles", frozenset(role_named(r) for r in self.roles))
        if self.sites is not None:
            object.__setattr__(self, "sites", frozenset(self.sites))
        if self.kind == "agent":
            actions = frozenset(self.agent_actions or ())
            for name in sorted(actions):
                _activity(name)
            object.__setattr__(self, "agent_actions", actions)
            object.__setattr__(self, "agent_data", frozenset(self.agent_data or ()))
            if self.roles:
                raise InvalidPrincipal(
                    username=self.username,
                    reason="an agent holds no roles: declare agent_actions instead",
                )
        elif self.agent_actions is not None or self.agent_data is not None:
            raise InvalidPrincipal(
                username=self.username,
                reason=f"agent_actions and agent_data are for agents, not a {self.kind}",
            )
        if self.kind == "system" and self.roles:
            raise InvalidPrincipal(username=self.username, reason="the system holds no roles")


SYSTEM: Final[Principal] = Principal(username="system", kind="system")


class NotAllowed(CrossdockError):
    """An activity the principal's roles, sites or agent grant do not allow."""

    def __init__(
        self,
        *,
        principal: Principal,
        activity: Activity,
        workflow: str | None,
        site: str | None,
        reason: str,
    ) -> None:
        self.username = principal.username
        self.roles = tuple(sorted(principal.roles))
        self.activity = activity
        self.workflow = workflow
        self.site = site
        self.reason = reason
        who = f"{principal.username} ({_describe(principal)})"
        where = f" on workflow {workflow}" if workflow else ""
        where += f" at site {site}" if site else ""
        super().__init__(f"{who} may not {activity}{where}: {reason}")


class SegregationOfDuties(CrossdockError):
    """A decision the same person may not make twice over one recommendation."""

    def __init__(
        self, *, username: str, recommendation_id: str | int, activity: str, reason: str
    ) -> None:
        self.username = username
        self.recommendation_id = recommendation_id
        self.activity = activity
        self.reason = reason
        super().__init__(
            f"{username} may not {activity} recommendation {recommendation_id}: {reason};"
            " a different person must decide"
        )


def authorize(
    principal: Principal,
    activity: str,
    *,
    workflow: str | None = None,
    site: str | None = None,
) -> None:
    """Return if `principal` may do `activity` (on `workflow`, at `site`), else raise.

    Activities in `WORKFLOW_ACTIVITIES` need the workflow; a principal limited to some
    sites needs the site for them too (a transfer: check both warehouses). For other
    activities `site=None` means the request is not about one site; queries filter
    their rows with `in_sites`.

    Raises:
        NotAllowed: naming the user, their roles, the activity, workflow and site, and
            why: no role allows it, outside their sites, or an agent not granted it.
        UnknownName: `activity` or `workflow` is not a known name.
    """
    wanted = _activity(activity)
    reason = _refusal(principal, wanted, workflow=workflow, site=site)
    if reason is not None:
        raise NotAllowed(
            principal=principal,
            activity=wanted,
            workflow=workflow,
            site=site,
            reason=reason,
        )


def allows(
    principal: Principal,
    activity: str,
    *,
    workflow: str | None = None,
    site: str | None = None,
) -> bool:
    """Whether `authorize` would pass (unknown names still raise `UnknownName`)."""
    return _refusal(principal, _activity(activity), workflow=workflow, site=site) is None


def in_sites(principal: Principal, site: str) -> bool:
    """Whether `site` is one the principal acts for."""
    return principal.sites is None or site in principal.sites


def roles_allowed(activity: str, *, workflow: str | None = None) -> frozenset[Role]:
    """The roles whose matrix row allows `activity` (on `workflow`, for per-workflow
    activities: None means on at least one workflow)."""
    wanted = _activity(activity)
    if workflow is not None:
        _workflow(workflow)
    return frozenset(role for role in Role if _role_allows(role, wanted, workflow))


def check_segregation(
    principal: Principal,
    *,
    recommendation_id: str | int,
    proposed_by: str | None,
    modified_by: str | None,
    approved_by: Collection[str],
    activity: str = Activity.APPROVE,
) -> None:
    """Refuse a decision by someone already involved in the recommendation.

    Call it before approve and modify. Usernames compare without regard to case.

    Raises:
        SegregationOfDuties: the principal proposed the recommendation, modified it,
            or already approved it (a second approval needs a second person).
    """
    me = principal.username.casefold()
    if proposed_by is not None and proposed_by.casefold() == me:
        reason = "they proposed it"
    elif modified_by is not None and modified_by.casefold() == me:
        reason = "they modified it"
    elif any(name.casefold() == me for name in approved_by):
        reason = "they already approved it"
    else:
        return
    raise SegregationOfDuties(
        username=principal.username,
        recommendation_id=recommendation_id,
        activity=str(activity),
        reason=reason,
    )


def role_named(name: str) -> Role:
    """The `Role` called `name`.

    Raises:
        UnknownName: no role is called that.
    """
    try:
        return Role(name)
    except ValueError:
        raise UnknownName(kind="role", value=name, known=list(Role)) from None


def permission_table() -> list[dict[str, str]]:
    """The matrix as rows for docs: one per activity; a column per role, then agent and
    system. A cell is "yes", the workflows (or "every workflow"), "if declared" or ""."""
    rows = []
    for activity in Activity:
        row = {"activity": activity.value}
        for role in Role:
            grants = PERMISSIONS[role]
            if activity in grants.general:
                row[role.value] = "yes"
            elif activity in grants.per_workflow:
                row[role.value] = _workflow_cell(grants.per_workflow[activity])
            else:
                row[role.value] = ""
        row["agent"] = "if declared" if activity in AGENT_ACTIVITIES else ""
        row["system"] = "yes" if activity in SYSTEM_ACTIVITIES else ""
        rows.append(row)
    return rows


# -- internals ------------------------------------------------------------------------


def _refusal(
    principal: Principal, activity: Activity, *, workflow: str | None, site: str | None
) -> str | None:
    """Why `principal` may not do `activity` there, or None when it may."""
    if workflow is not None:
        _workflow(workflow)
    per_workflow = activity in WORKFLOW_ACTIVITIES
    if per_workflow and workflow is None:
        return f"{activity} is granted per workflow and no workflow was named"
    return _grant_refusal(principal, activity, workflow) or _site_refusal(
        principal, site, needed=per_workflow
    )


def _grant_refusal(principal: Principal, activity: Activity, workflow: str | None) -> str | None:
    """Why no grant of the principal covers `activity`, or None when one does."""
    if principal.kind == "system":
        return None if activity in SYSTEM_ACTIVITIES else f"the system never does {activity}"
    if principal.kind == "agent":
        if activity not in AGENT_ACTIVITIES:
            return f"no agent may {activity}, whatever it declares"
        declared = principal.agent_actions or frozenset()
        if activity not in declared:
            names = ", ".join(sorted(declared)) or "nothing"
            return f"the agent was not granted {activity} (it declares: {names})"
        return None
    if any(_role_allows(role, activity, workflow) for role in principal.roles):
        return None
    return _no_role(principal, activity, workflow)


def _site_refusal(principal: Principal, site: str | None, *, needed: bool) -> str | None:
    """Why `site` is out of the principal's reach, or None when it is in (or moot)."""
    if principal.sites is None:
        return None
    if site is None:
        return (
            f"they act for sites {_sites(principal)} only and no site was named" if needed else None
        )
    if site not in principal.sites:
        return f"{site} is outside their sites ({_sites(principal)})"
    return None


def _role_allows(role: Role, activity: Activity, workflow: str | None) -> bool:
    grants = PERMISSIONS[role]
    if activity in grants.general:
        return True
    workflows = grants.per_workflow.get(activity, ())
    return bool(workflows) if workflow is None else workflow in workflows


def _no_role(principal: Principal, activity: Activity, workflow: str | None) -> str:
    if not principal.roles:
        return "they hold no role"
    holders = sorted(role for role in Role if _role_allows(role, activity, workflow))
    allowed_to = ", ".join(holders) if holders else "no role"
    target = f"{activity} on {workflow}" if workflow else str(activity)
    return f"no role of theirs allows {target} (allowed to: {allowed_to})"


def _describe(principal: Principal) -> str:
    if principal.kind == "person":
        return ", ".join(sorted(principal.roles)) or "no roles"
    return principal.kind


def _sites(principal: Principal) -> str:
    return ", ".join(sorted(principal.sites or ()))


def _workflow_cell(workflows: tuple[str, ...]) -> str:
    if set(workflows) == set(WORKFLOWS):
        return "every workflow"
    return ", ".join(workflows)


def _activity(name: str) -> Activity:
    try:
        return Activity(name)
    except ValueError:
        raise UnknownName(kind="activity", value=name, known=list(Activity)) from None


def _workflow(name: str) -> str:
    if name not in WORKFLOWS:
        raise UnknownName(kind="workflow", value=name, known=WORKFLOWS)
    return name
