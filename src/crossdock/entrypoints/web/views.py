"""What the templates show, worked out of the service layer's masked rows: money as
text, masked fields as "masked" (never their value), the options side by side, and the
drivers grouped as a planner reads them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlencode

from jinja2 import Environment
from markupsafe import Markup

from crossdock.domain.lifecycle import Action
from crossdock.entrypoints.web.charts import line_chart
from crossdock.governance.masking import MASKED_FIELDS_KEY
from crossdock.service_layer.deciding import Decision


class _Masked:
    """A field the reader may not see: shown as "masked", never as a value."""

    def __str__(self) -> str:
        return "masked"


MASKED: Final = _Masked()
MASKED_HTML: Final = Markup('<span class="masked" title="hidden for your role">masked</span>')
WEB_DECISIONS: Final = (Action.APPROVE, Action.REJECT, Action.MODIFY)
Z_80: Final = 1.2816  # a normal's 10% and 90% quantiles are the mean -/+ 1.2816 std

_OPTION_PARTS: Final = ("holding", "shortage", "transport", "ordering", "purchase", "expedite")
_SECTIONS: Final = (
    ("position", "Stock position now"),
    ("risk", "Risk if nothing is done"),
    ("policy", "Inventory policy"),
    ("lead_time", "Lead time"),
    ("supplier", "Supplier"),
    ("po_line", "Open PO line"),
    ("source", "Shipping warehouse"),
    ("echelon", "Echelon"),
)
_INBOUND: Final = frozenset({"buy", "transfer", "rebalance", "expedite"})


def install_filters(env: Environment) -> None:
    env.filters["money"] = money
    env.filters["number"] = number
    env.filters["shown"] = shown
    env.filters["label"] = label
    env.filters["fact"] = fact


def shown(row: Mapping[str, Any], path: str) -> Any:
    """The value at dotted `path`, or MASKED when masking hid it."""
    if path in (row.get(MASKED_FIELDS_KEY) or ()):
        return MASKED
    value: Any = row
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def money(value: Any) -> Markup | str:
    if value is MASKED:
        return MASKED_HTML
    if value is None or value == "":
        return "—"
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{amount:,.2f}" if math.isfinite(amount) else "—"


def number(value: Any, places: int = 0) -> Markup | str:
    if value is MASKED:
        return MASKED_HTML
    if isinstance(value, bool) or value is None:
        return "—" if value is None else ("yes" if value else "no")
    if isinstance(value, int | float):
        return f"{value:,.{places}f}"
    return str(value)


def fact(value: Any) -> Markup | str:
    """A driver's value: whole numbers without decimals, others to two places."""
    if isinstance(value, float) and value.is_integer():
        return number(value, 0)
    return number(value, 2)


def label(name: str) -> str:
    return name.replace("_", " ")


def query_string(filters: Mapping[str, str | None], **more: str) -> str:
    pairs = {name: value for name, value in filters.items() if value}
    pairs.update(more)
    return urlencode(pairs)


def decision_action(action: str) -> Action:
    """Only the decisions the workbench offers; anything else is refused by name."""
    if action not in WEB_DECISIONS:
        raise ValueError(f"action={action!r}: the workbench takes approve, reject or modify")
    return Action(action)


def optional_quantity(quantity: str | None) -> float | None:
    if quantity is None or not quantity.strip():
        return None
    try:
        return float(quantity.replace(",", ""))
    except ValueError:
        raise ValueError(f"quantity={quantity!r}: not a number") from None


def decided(made: Decision) -> str:
    done = f"{made.action}: {made.from_status} → {made.to_status}"
    return f"{done} ({made.note})" if made.note else done


def options(rec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The options considered, each part masked where the reader may not see it."""
    rows = []
    for index, option in enumerate(rec.get("alternatives") or []):
        if not isinstance(option, Mapping):
            continue
        parts = {
            part: shown(rec, f"alternatives.{index}.{part}")
            for part in _OPTION_PARTS
            if part in option
        }
        rows.append(
            {
                "name": option.get("alternative", option.get("kind", "")),
                "quantity": option.get("quantity"),
                "parts": parts,
                "total": shown(rec, f"alternatives.{index}.total"),
                "savings": shown(rec, f"alternatives.{index}.savings"),
                "chosen": bool(option.get("chosen")),
                "note": option.get("note"),
            }
        )
    return rows


def drivers(rec: Mapping[str, Any]) -> dict[str, Any]:
    """The forecast with its 80% range, stock with and without the action, and every
    other driver section the recommendation carries, masked fields as MASKED."""
    given = rec.get("drivers")
    carried: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    forecast = carried.get("forecast") if isinstance(carried.get("forecast"), Mapping) else None
    out: dict[str, Any] = {"forecast": None, "stock": None, "sections": []}
    if forecast and isinstance(forecast.get("mean"), int | float):
        mean, spread = float(forecast["mean"]), float(forecast.get("std") or 0.0)
        out["forecast"] = {
            **forecast,
            "low": max(0.0, mean - Z_80 * spread),
            "high": mean + Z_80 * spread,
        }
    position = carried.get("position") if isinstance(carried.get("position"), Mapping) else None
    if position and isinstance(position.get("available"), int | float):
        quantity = rec.get("approved_quantity") or rec.get("quantity") or 0.0
        inbound = rec.get("kind") in _INBOUND
        out["stock"] = {
            "without": float(position["available"]),
            "with": float(position["available"]) + float(quantity) if inbound else None,
            "arrives": rec.get("approved_arrival_date") or rec.get("expected_arrival_date"),
            "demand": float(forecast["mean"]) if forecast and "mean" in forecast else None,
        }
    for key, title in _SECTIONS:
        section = carried.get(key)
        if isinstance(section, Mapping):
            fields = [
                (name, shown(rec, f"drivers.{key}.{name}"))
                for name, value in section.items()
                if not isinstance(value, Mapping | list)
            ]
            out["sections"].append({"title": title, "fields": fields})
    return out


def evidence_charts(evidence: Any) -> dict[str, Any]:
    """The recommendation's evidence (`RecommendationEvidence`) as inline SVG charts:
    the forecast with its range, projected on hand without and with the action (and at
    the shipping warehouse of a transfer), and the supplier's lead-time history. A chart
    that cannot be drawn is None, with the reason in `<name>_why`."""
    out: dict[str, Any] = {
        "forecast": None,
        "forecast_why": evidence.forecast_why,
        "projection": None,
        "projection_why": evidence.projection_why,
        "source_projection": None,
        "source_projection_why": evidence.source_projection_why,
        "lead_times": None,
        "lead_times_why": evidence.lead_times_why,
    }
    forecast = evidence.forecast
    if forecast is not None:
        unit = "week" if forecast.period_days == 7 else "day"
        out["forecast"] = line_chart(
            [("demand", forecast.actual), ("forecast", forecast.mean)],
            band=(forecast.low, forecast.high),
            band_label=f"{forecast.level}% range",
            x_labels=[_day_label(day) for day in forecast.periods],
            title=f"Demand per {unit} at {forecast.location_code}: actual and forecast",
            y_label=f"units per {unit}",
            marker=(forecast.today_index, "today"),
        )
    for name in ("projection", "source_projection"):
        projection = getattr(evidence, name)
        if projection is not None:
            out[name] = _projection_chart(projection)
    lead_times = evidence.lead_times
    if lead_times is not None:
        observations = lead_times.observations
        series: list[tuple[str, list[float | None]]] = [
            ("days from order to receipt", [float(o.days) for o in observations]),
            ("days promised", [_float_or_none(o.promised_days) for o in observations]),
        ]
        if lead_times.quoted_days is not None:
            series.append(("quoted lead time", [lead_times.quoted_days] * len(observations)))
        scope = lead_times.sku or "every item"
        out["lead_times"] = line_chart(
            series,
            x_labels=[_day_label(o.received_date) for o in observations],
            title=f"Lead times of {lead_times.supplier_code} ({scope}), by day received",
            y_label="days",
        )
    return out


def _projection_chart(projection: Any) -> Markup:
    count = len(projection.dates)
    series: list[tuple[str, list[float | None]]] = [
        ("without the action", list(projection.without_action))
    ]
    if projection.with_action is not None:
        series.append(("with the action", list(projection.with_action)))
    if projection.safety_stock is not None:
        series.append(("safety stock", [projection.safety_stock] * count))
    if projection.reorder_point is not None:
        series.append((projection.reorder_point_label, [projection.reorder_point] * count))
    marker = None
    if projection.action_index is not None and projection.with_action is not None:
        marker = (projection.action_index, projection.action_label)
    return line_chart(
        series,
        x_labels=[_day_label(day) for day in projection.dates],
        title=f"Projected on hand at {projection.location_code}, by day",
        y_label="units",
        marker=marker,
    )


def _day_label(day: Any) -> str:
    return day.isoformat()[5:] if hasattr(day, "isoformat") else str(day)


def _float_or_none(value: int | float | None) -> float | None:
    return None if value is None else float(value)
