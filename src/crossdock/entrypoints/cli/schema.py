"""The canonical file format, rendered from the spec for people (Markdown) and tools (JSON).

`docs/data-format.md` embeds the Markdown between two markers; a test regenerates it
and fails when the document and the code disagree.
"""

from __future__ import annotations

from typing import Any

from crossdock.domain.canonical import ENTITIES, Entity, Field, FieldKind

BEGIN_MARKER = "<!-- BEGIN GENERATED: crossdock schema -->"
END_MARKER = "<!-- END GENERATED -->"

_KIND_NOTES = {
    FieldKind.TEXT: "text",
    FieldKind.CODE: "code",
    FieldKind.INTEGER: "integer",
    FieldKind.QUANTITY: "number",
    FieldKind.MONEY: "money",
    FieldKind.RATE: "rate",
    FieldKind.DATE: "date `YYYY-MM-DD`",
    FieldKind.TIMESTAMP: "timestamp ISO 8601",
    FieldKind.BOOLEAN: "boolean",
}


def schema_as_dict() -> dict[str, Any]:
    return {
        "entities": [
            {
                "name": entity.name,
                "file": f"{entity.name}.csv | {entity.name}.parquet",
                "description": entity.description,
                "natural_key": list(entity.natural_key),
                "fields": [_field_dict(field) for field in entity.fields],
            }
            for entity in ENTITIES
        ]
    }


def _field_dict(field: Field) -> dict[str, Any]:
    return {
        "name": field.name,
        "type": field.kind.value,
        "required": field.required,
        "unit": field.unit,
        "allowed": list(field.allowed) or None,
        "minimum": field.minimum,
        "maximum": field.maximum,
        "references": ".".join(field.references) if field.references else None,
        "not_in_future": field.not_in_future,
        "not_before": field.not_before,
        "reason_code": field.reason_code,
        "description": field.description,
    }


def schema_as_markdown() -> str:
    return "\n".join(_entity_markdown(entity) for entity in ENTITIES).rstrip() + "\n"


def _entity_markdown(entity: Entity) -> str:
    lines = [
        f"### `{entity.name}`",
        "",
        f"{entity.description} Natural key: "
        + ", ".join(f"`{name}`" for name in entity.natural_key)
        + ".",
        "",
        "| column | type | required | unit | rules | meaning |",
        "|---|---|---|---|---|---|",
    ]
    lines.extend(
        f"| `{field.name}` | {_KIND_NOTES[field.kind]} | "
        f"{'yes' if field.required else ''} | {field.unit or ''} | {_rules(field)} | "
        f"{field.description} |"
        for field in entity.fields
    )
    lines.append("")
    return "\n".join(lines)


def _rules(field: Field) -> str:
    rules: list[str] = []
    if field.allowed:
        rules.append("one of " + ", ".join(f"`{value}`" for value in field.allowed))
    if field.minimum is not None:
        rules.append(f">= {field.minimum:g}")
    if field.maximum is not None:
        rules.append(f"<= {field.maximum:g}")
    if field.references:
        rules.append(f"must exist in `{'.'.join(field.references)}`")
    if field.not_in_future:
        rules.append("not in the future")
    if field.not_before:
        rules.append(f"not before `{field.not_before}`")
    if field.stale_after_days:
        rules.append(f"warned when older than {field.stale_after_days} days")
    if field.reason_code:
        rules.append("site code mapped via `reason_code_mappings`")
    return "; ".join(rules)
