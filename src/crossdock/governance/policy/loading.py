"""Load an approval policy: one enterprise file and zero or more site files, validated
together into a versioned `PolicySet`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from crossdock.governance.policy.checks import check_set
from crossdock.governance.policy.documents import ParsedDocument, parse_document
from crossdock.governance.policy.errors import PolicyError, Problem, UnknownWorkflow
from crossdock.governance.policy.schema import WORKFLOWS, MandatoryRule, PolicyDocument
from crossdock.governance.policy.settings import WorkflowSettings, resolve

DEMO_POLICY = "demo.yaml"


@dataclass(frozen=True, slots=True, eq=False)
class PolicySet:
    """A validated approval policy: the enterprise document, one document per site,
    the texts they came from (in load order) and the version naming them all.

    `version` is `<policy>@<version>#<12 hex>`: the hex is a SHA-256 over every text in
    load order, so changing any file, even a comment, changes the version.
    """

    enterprise: PolicyDocument
    sites: Mapping[str, PolicyDocument]
    texts: Mapping[str, str]
    version: str

    @property
    def name(self) -> str:
        return self.enterprise.policy

    @property
    def mandatory(self) -> tuple[MandatoryRule, ...]:
        return tuple(self.enterprise.mandatory)

    @classmethod
    def from_texts(cls, texts: Mapping[str, str]) -> PolicySet:
        """Rebuild a policy from `{file name: text}` in load order (as stored).

        Raises:
            PolicyError: every problem in every file, each with file, line and path.
        """
        problems: list[Problem] = []
        documents: list[ParsedDocument] = []
        for name, text in texts.items():
            parsed = parse_document(name, text)
            if isinstance(parsed, list):
                problems += parsed
            else:
                documents.append(parsed)
        if not texts:
            problems.append(Problem("(no files)", None, "", "no policy files given"))
        if not problems:
            problems = check_set(documents)
        if problems:
            raise PolicyError(problems)
        enterprise = next(d.model for d in documents if d.model.scope == "enterprise")
        sites = {d.model.site: d.model for d in documents if d.model.site is not None}
        return cls(
            enterprise=enterprise,
            sites=MappingProxyType(sites),
            texts=MappingProxyType(dict(texts)),
            version=f"{enterprise.policy}@{enterprise.version}#{_digest(texts.values())}",
        )

    def settings_for(self, workflow: str, site: str | None) -> WorkflowSettings:
        """`workflow`'s merged settings at `site` (None or a site without a file:
        the enterprise settings), before facts and mandatory rules.

        Raises:
            UnknownWorkflow: `workflow` is not one of WORKFLOWS.
        """
        if workflow not in WORKFLOWS:
            raise UnknownWorkflow(field="workflow", value=workflow, known=WORKFLOWS)
        return resolve(self.enterprise, self.sites.get(site) if site else None, workflow)


def load_policy(*sources: Path | str) -> PolicySet:
    """Load one enterprise file and any site files. A `Path` is read from disk and named
    by its path; a `str` is the YAML text itself, named `<text 1>`, `<text 2>`, ...

    Raises:
        PolicyError: every problem found, each with file, line, path and message.
        OSError: a file cannot be read.
    """
    texts: dict[str, str] = {}
    for number, source in enumerate(sources, start=1):
        if isinstance(source, Path):
            texts[str(source)] = source.read_text(encoding="utf-8")
        else:
            texts[f"<text {number}>"] = source
    return PolicySet.from_texts(texts)


def demo_policy_text() -> str:
    """The packaged default policy of the demo network."""
    return resources.files(__package__).joinpath(DEMO_POLICY).read_text(encoding="utf-8")


def load_demo_policy() -> PolicySet:
    """The packaged default policy of the demo network, named `demo.yaml`."""
    return PolicySet.from_texts({DEMO_POLICY: demo_policy_text()})


def _digest(texts: Iterable[str]) -> str:
    hasher = hashlib.sha256()
    for text in texts:
        encoded = text.encode("utf-8")
        hasher.update(f"{len(encoded)}:".encode())
        hasher.update(encoded)
    return hasher.hexdigest()[:12]
