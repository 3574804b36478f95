"""One policy file's text to a validated `PolicyDocument`, keeping the YAML node tree so
every problem names its file, line and dotted path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from crossdock.governance.policy.errors import Problem
from crossdock.governance.policy.schema import KNOWN_ROLES, WORKFLOWS, PolicyDocument, Tier

Loc = Sequence[str | int]

_ROLE_KEYS = frozenset({"approvers", "roles", "second_approver_roles"})
_TIER_KEYS = frozenset({"tier", "max_tier"})


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A policy file that parsed and matched the schema, with its node tree for lines."""

    name: str
    text: str
    model: PolicyDocument
    root: yaml.Node

    def line_of(self, *loc: str | int) -> int:
        """The 1-based line of `loc` (a key's line for mapping entries), or of the deepest
        enclosing node present when part of `loc` is absent."""
        return line_of(self.root, loc)

    def problem(self, *loc: str | int, message: str, value: object = None) -> Problem:
        return Problem(self.name, self.line_of(*loc), dotted(loc), message, value)


def parse_document(name: str, text: str) -> ParsedDocument | list[Problem]:
    """Parse and validate one policy file: the document, or every problem found."""
    root = _compose(name, text)
    if isinstance(root, list):
        return root
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        hint = " (to load a file, pass a pathlib.Path)" if isinstance(data, str) else ""
        return [
            Problem(name, 1, "", f"expected a mapping of keys such as policy:, got {data!r}{hint}")
        ]
    try:
        model = PolicyDocument.model_validate(data)
    except ValidationError as error:
        return [_problem(name, root, detail) for detail in error.errors(include_url=False)]
    return ParsedDocument(name=name, text=text, model=model, root=root)


def _compose(name: str, text: str) -> yaml.Node | list[Problem]:
    """The YAML node tree of `text`, or its syntax error, emptiness or duplicate keys."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        return [Problem(name, line, "", f"invalid YAML: {error.problem or error}")]
    except yaml.YAMLError as error:
        return [Problem(name, None, "", f"invalid YAML: {error}")]
    if root is None:
        return [Problem(name, None, "", "the file is empty: expected a policy document")]
    return _duplicate_keys(name, root, ()) or root


def dotted(loc: Loc) -> str:
    """`("workflows", "buy", "approvers", 1)` as `workflows.buy.approvers[1]`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def line_of(root: yaml.Node, loc: Loc) -> int:
    node, line = root, root.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            entry = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if entry is None:
                break
            line, node = entry[0].start_mark.line + 1, entry[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _duplicate_keys(name: str, node: yaml.Node, loc: tuple[str | int, ...]) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                problems.append(
                    Problem(
                        name,
                        key.start_mark.line + 1,
                        dotted((*loc, key.value)),
                        f"duplicate key {key.value!r}: give each key once",
                    )
                )
            seen.add(key.value)
            problems += _duplicate_keys(name, value, (*loc, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _duplicate_keys(name, item, (*loc, index))
    return problems


def _problem(name: str, root: yaml.Node, detail: Any) -> Problem:
    loc = tuple(detail["loc"])
    message = _message(loc, detail)
    return Problem(
        name, line_of(root, loc), dotted(_as_written(root, loc)), message, detail["input"]
    )


def _as_written(root: yaml.Node, loc: Loc) -> tuple[str | int, ...]:
    """`loc` without list indices the file did not write (`workflow: buy` is read as
    `[buy]`, so pydantic says `workflow[0]`)."""
    node: yaml.Node | None = root
    kept: list[str | int] = []
    for part in loc:
        if isinstance(part, int) and not isinstance(node, yaml.SequenceNode):
            continue
        kept.append(part)
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            node = None
    return tuple(kept)


_TEMPLATES: Final = {
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_type": "expected true or false",
    "list_type": "expected a list such as [a, b]",
    "model_type": "expected a mapping of keys",
    "dict_type": "expected a mapping of keys",
    "model_attributes_type": "expected a mapping of keys",
    "too_short": "expected at least one entry",
    "string_pattern_mismatch": "expected letters, digits, '.', '_' or '-' (no spaces)",
}


def _message(loc: tuple[str | int, ...], detail: Any) -> str:
    kind, value = detail["type"], detail["input"]
    got = f"got {value!r}"
    if kind in _TEMPLATES:
        return f"{_TEMPLATES[kind]}, {got}"
    if kind == "string_type":
        hint = " (put it in quotes)" if isinstance(value, int | float) else ""
        return f"expected text, {got}{hint}"
    if kind == "missing":
        return "required key is missing"
    special = _keys_and_choices(loc, detail)
    if special is not None:
        return special
    message = str(detail["msg"]).removeprefix("Value error, ")
    return f"{message[:1].lower()}{message[1:]}, {got}"


def _keys_and_choices(loc: tuple[str | int, ...], detail: Any) -> str | None:
    kind, value = detail["type"], detail["input"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        what = "workflow" if loc[:-1] == ("workflows",) else "key"
        return f"unknown {what} {loc[-1]!r}; expected one of: {', '.join(allowed)}"
    if kind == "literal_error":
        return _choice_message(loc, value, str(detail["ctx"]["expected"]))
    bounds = {"greater_than_equal": ("at least", "ge"), "less_than_equal": ("at most", "le")}
    if kind in bounds:
        words, key = bounds[kind]
        return f"expected {words} {detail['ctx'][key]}, got {value!r}"
    return None


def _choice_message(loc: tuple[str | int, ...], value: object, expected: str) -> str:
    field = next((part for part in reversed(loc) if isinstance(part, str)), "")
    if field in _ROLE_KEYS:
        return f"unknown role {value!r}; known roles: {', '.join(KNOWN_ROLES)}"
    if field in _TIER_KEYS:
        return f"unknown tier {value!r}; tiers: {', '.join(Tier)}"
    if field == "workflow":
        return f"unknown workflow {value!r}; workflows: *, {', '.join(WORKFLOWS)}"
    return f"expected {expected}, got {value!r}"


def _allowed_keys(loc: tuple[str | int, ...]) -> list[str]:
    """The keys the model at `loc` accepts (empty when `loc` leads nowhere)."""
    annotation: Any = PolicyDocument
    for part in loc:
        annotation = _model_in(annotation)
        if isinstance(part, int):
            args = get_args(annotation)
            annotation = args[0] if get_origin(annotation) is list and args else None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            annotation = field.annotation if field else None
        else:
            return []
    model = _model_in(annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _model_in(annotation: Any) -> Any:
    """`X | None` and `Annotated[X, ...]` as X."""
    for _ in range(3):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if get_origin(annotation) is list or not args:
            return annotation
        annotation = args[0]
    return annotation
