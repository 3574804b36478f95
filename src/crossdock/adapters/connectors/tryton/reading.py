"""Reading the network out of Tryton into the canonical data model.

- locations: `stock.location` of type `warehouse` (its `code`). A warehouse another
  has a lead time from is a `dc`; the others are branches, each with the warehouse it
  has the shortest lead time from as its parent.
- lanes: `stock.location.lead_time` (`warehouse_from`, `warehouse_to`, days).
- items: `product.product` of type goods (code, name, unit symbol, cost and list price).
- suppliers, supply_terms: `purchase.product_supplier` (party code, lead time, first
  price break; the first by sequence for an item is its primary supplier).
- customers: the parties of sales; the tier is a party category named gold, silver or
  bronze, else the connection's `default_service_tier`.
- inventory_positions: each warehouse's `quantity` of each item (context `locations`).
- sales orders and lines: `sale.sale` confirmed, processing, done or cancelled; shipped
  quantities from done moves.
- purchase orders and lines: `purchase.purchase` confirmed, processing, done or
  cancelled; promised dates from the lines' delivery dates, received quantities from
  done moves.
- transfer orders and lines: `stock.shipment.internal` out of draft between two
  warehouses, a line per move.

Every record keeps Tryton's own code or number, so a planner finds it in the ERP by the
same name. A record the canonical model cannot take (a product without a code, a
warehouse without one) is still passed on: the import quarantines it naming the
record, the field and the value, as for any file. An incremental read (`since`, the
newest `write_date` or `create_date` seen before) asks only for records changed since;
stock is read whole each time (quantities change without a write on the product).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd

from crossdock.adapters.connectors.tryton.session import TrytonRpc
from crossdock.service_layer.connector_ports import Snapshot
from crossdock.service_layer.ports import SourceFrame

TIERS = ("gold", "silver", "bronze")
_SALE_STATES = ["confirmed", "processing", "done", "cancelled"]
_PURCHASE_STATES = ["confirmed", "processing", "done", "cancelled"]
_SHIPMENT_STATES = ["request", "waiting", "assigned", "shipped", "done", "cancelled"]


@dataclass
class _Read:
    """What one read found, by canonical entity, and the newest change it saw."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, int] = field(default_factory=dict)
    newest: datetime | None = None

    def saw(self, model: str, records: Sequence[Mapping[str, Any]]) -> None:
        self.counts[model] = self.counts.get(model, 0) + len(records)
        for record in records:
            for stamp in (record.get("write_date"), record.get("create_date")):
                if isinstance(stamp, datetime) and (self.newest is None or stamp > self.newest):
                    self.newest = stamp


class TrytonReader:
    """Reads one Tryton database as the canonical model."""

    def __init__(
        self, rpc: TrytonRpc, *, source: str, default_service_tier: str = "silver"
    ) -> None:
        if default_service_tier not in TIERS:
            raise ValueError(
                f"default_service_tier={default_service_tier!r}: must be one of {', '.join(TIERS)}"
            )
        self.rpc = rpc
        self.source = source
        self.default_tier = default_service_tier
        self._context: dict[str, Any] | None = None
        self._zones: dict[int, int] = {}  # a location inside a warehouse -> the warehouse

    @property
    def context(self) -> dict[str, Any]:
        if self._context is None:
            self._context = self.rpc.preferences()
        return self._context

    def read(self, *, since: str | None, now: datetime | None = None) -> Snapshot:
        """Canonical frames of what changed since `since` (an ISO time; None: all)."""
        now = now or datetime.now(UTC)
        changed = _changed_since(since)
        read = _Read()
        warehouses = self._warehouses(read)
        products = self._products(read, changed)
        self._supply_terms(read, changed, products)
        self._stock(read, warehouses, products, now)
        self._sales(read, changed, warehouses)
        self._purchases(read, changed, warehouses)
        self._transfers(read, changed, warehouses)
        frames = [
            SourceFrame(entity=name, source=f"{self.source} {name}", frame=_frame(rows))
            for name, rows in read.rows.items()
            if rows
        ]
        cursor = read.newest.isoformat() if read.newest else since
        return Snapshot(frames=frames, as_of=now, cursor=cursor, counts=read.counts)

    # -- the network ------------------------------------------------------------------

    def _search(
        self, model: str, domain: list[Any], fields: Sequence[str], *, context: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        return list(
            self.rpc.execute(model, "search_read", domain, 0, None, None, list(fields),
                             context={**self.context, **context})
        )  # fmt: skip

    def _warehouses(self, read: _Read) -> dict[int, str]:
        """Every warehouse and lane (read whole: a handful of records); id -> code."""
        found = self._search(
            "stock.location", [["type", "=", "warehouse"]],
            ["code", "name", "write_date", "create_date"], context={},
        )  # fmt: skip
        read.saw("stock.location", found)
        codes = {w["id"]: w["code"] or "" for w in found}
        self._zones = {
            zone["id"]: warehouse["id"]
            for warehouse in found
            for zone in self._search(
                "stock.location", [["parent", "child_of", [warehouse["id"]]]], [], context={}
            )
        }
        lanes = self._search(
            "stock.location.lead_time", [],
            ["warehouse_from", "warehouse_to", "lead_time", "write_date", "create_date"],
            context={},
        )  # fmt: skip
        read.saw("stock.location.lead_time", lanes)
        parents: dict[int, tuple[float, int]] = {}
        for lane in lanes:
            source, target = lane["warehouse_from"], lane["warehouse_to"]
            if source is None or target is None:
                continue  # Tryton's default lead time for any pair: not a lane
            days = _days(lane["lead_time"])
            read.rows["lanes"].append(
                {"from_location_code": codes.get(source), "to_location_code": codes.get(target),
                 "transit_days": days, "cost_per_unit": None, "mode": None}
            )  # fmt: skip
            if target not in parents or (days or 0) < parents[target][0]:
                parents[target] = (days or 0, source)
        sources = {source for _, source in parents.values()}
        for warehouse in found:
            parent = parents.get(warehouse["id"])
            read.rows["locations"].append(
                {"location_code": warehouse["code"], "name": warehouse["name"],
                 "location_type": "dc" if warehouse["id"] in sources or parent is None
                 else "branch",
                 "parent_location_code": codes.get(parent[1]) if parent else None}
            )  # fmt: skip
        return codes

    def _products(self, read: _Read, changed: list[Any]) -> dict[int, str]:
        """Every goods product (id -> code); rows only for those changed."""
        found = self._search(
            "product.product", [["type", "=", "goods"]],
            ["code", "name", "default_uom.symbol", "cost_price", "list_price_used",
             "write_date", "create_date", "template.write_date"], context={},
        )  # fmt: skip
        codes = {p["id"]: p["code"] for p in found}
        fresh = [p for p in found if _is_changed(p, changed)]
        read.saw("product.product", fresh)
        for product in fresh:
            read.rows["items"].append(
                {"sku": product["code"], "description": product["name"],
                 "uom": (product.get("default_uom.") or {}).get("symbol"),
                 "unit_cost": _number(product["cost_price"]),
                 "unit_price": _number(product.get("list_price_used")),
                 "lifecycle": "active"}
            )  # fmt: skip
        return codes

    def _supply_terms(self, read: _Read, changed: list[Any], products: Mapping[int, str]) -> None:
        found = self._search(
            "purchase.product_supplier", changed,
            ["party", "party.code", "party.name", "template", "product", "lead_time", "prices",
             "sequence", "write_date", "create_date"], context={},
        )  # fmt: skip
        read.saw("purchase.product_supplier", found)
        if not found:
            return
        prices = {
            p["id"]: p
            for p in self._search(
                "purchase.product_supplier.price",
                [["product_supplier", "in", [f["id"] for f in found]]],
                ["product_supplier", "quantity", "unit_price", "sequence"], context={},
            )
        }  # fmt: skip
        variants = self._variants([f["template"] for f in found if f["product"] is None])
        first_by_item: dict[str, tuple[int, int]] = {}
        terms: list[dict[str, Any]] = []
        for term in sorted(found, key=lambda f: (f["sequence"] or 0, f["id"])):
            party = term.get("party.") or {}
            breaks = sorted((prices[i] for i in term["prices"] if i in prices),
                            key=lambda p: (p["quantity"], p["sequence"] or 0))  # fmt: skip
            skus = [products.get(term["product"])] if term["product"] else [
                products.get(v) for v in variants.get(term["template"], [])
            ]  # fmt: skip
            read.rows["suppliers"].append({"supplier_code": party.get("code"),
                                           "name": party.get("name")})  # fmt: skip
            for sku in skus:
                first_by_item.setdefault(sku or "", (term["id"], 0))
                terms.append(
                    {"supplier_code": party.get("code"), "sku": sku,
                     "lead_time_days": _days(term["lead_time"]),
                     "moq": _number(breaks[0]["quantity"]) if breaks else None,
                     "order_multiple": None,
                     "unit_price": _number(breaks[0]["unit_price"]) if breaks else None,
                     "_term": term["id"]}
                )  # fmt: skip
        for row in terms:
            row["is_primary"] = first_by_item.get(row["sku"] or "", (None,))[0] == row.pop("_term")
            read.rows["supply_terms"].append(row)

    def _variants(self, templates: Iterable[int]) -> dict[int, list[int]]:
        wanted = sorted(set(templates))
        if not wanted:
            return {}
        out: dict[int, list[int]] = defaultdict(list)
        for product in self._search(
            "product.product", [["template", "in", wanted]], ["template"], context={}
        ):
            out[product["template"]].append(product["id"])
        return out

    def _stock(
        self, read: _Read, warehouses: Mapping[int, str], products: Mapping[int, str], now: datetime
    ) -> None:
        """Each warehouse's quantity of each item, now (the whole of it, every read)."""
        for warehouse_id, code in warehouses.items():
            found = self._search(
                "product.product", [["type", "=", "goods"]], ["quantity"],
                context={"locations": [warehouse_id], "stock_date_end": now.date()},
            )  # fmt: skip
            read.counts["stock"] = read.counts.get("stock", 0) + len(found)
            for row in found:
                quantity = _number(row["quantity"]) or 0.0
                if quantity == 0:
                    continue
                read.rows["inventory_positions"].append(
                    {"sku": products.get(row["id"]), "location_code": code,
                     "snapshot_at": now.isoformat(), "on_hand": quantity}
                )  # fmt: skip

    # -- orders and shipments ---------------------------------------------------------

    def _sales(self, read: _Read, changed: list[Any], warehouses: Mapping[int, str]) -> None:
        sales = self._search(
            "sale.sale", [["state", "in", _SALE_STATES], *changed],
            ["number", "party", "party.code", "party.name", "party.categories", "warehouse",
             "sale_date", "state", "shipment_state", "write_date", "create_date"], context={},
        )  # fmt: skip
        read.saw("sale.sale", sales)
        if not sales:
            return
        tiers = self._tiers(
            [c for s in sales for c in (s.get("party.") or {}).get("categories") or []]
        )
        lines = self._search(
            "sale.line", [["sale", "in", [s["id"] for s in sales]], ["type", "=", "line"]],
            ["sale", "product.code", "quantity", "unit_price", "shipping_date", "moves"],
            context={},
        )  # fmt: skip
        shipped = self._done_quantities([m for line in lines for m in line["moves"]])
        by_sale: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for line in lines:
            by_sale[line["sale"]].append(line)
        for sale in sales:
            party = sale.get("party.") or {}
            tier = next((tiers[c] for c in party.get("categories") or [] if c in tiers),
                        self.default_tier)  # fmt: skip
            read.rows["customers"].append(
                {"customer_code": party.get("code"), "name": party.get("name"),
                 "service_tier": tier}
            )  # fmt: skip
            own = sorted(by_sale[sale["id"]], key=lambda line: line["id"])
            requested = min((ln["shipping_date"] for ln in own if ln["shipping_date"]),
                            default=sale["sale_date"])  # fmt: skip
            read.rows["sales_orders"].append(
                {"order_number": sale["number"], "customer_code": party.get("code"),
                 "location_code": warehouses.get(sale["warehouse"]),
                 "order_date": _iso(sale["sale_date"]), "requested_date": _iso(requested),
                 "status": _sale_status(sale, own, shipped)}
            )  # fmt: skip
            for number, line in enumerate(own, start=1):
                read.rows["sales_order_lines"].append(
                    {"order_number": sale["number"], "line_number": number,
                     "sku": (line.get("product.") or {}).get("code"),
                     "ordered_quantity": _number(line["quantity"]),
                     "shipped_quantity": sum(shipped.get(m, 0.0) for m in line["moves"]),
                     "unit_price": _number(line["unit_price"])}
                )  # fmt: skip

    def _purchases(self, read: _Read, changed: list[Any], warehouses: Mapping[int, str]) -> None:
        purchases = self._search(
            "purchase.purchase", [["state", "in", _PURCHASE_STATES], *changed],
            ["number", "party.code", "warehouse", "purchase_date", "state", "shipment_state",
             "write_date", "create_date"], context={},
        )  # fmt: skip
        read.saw("purchase.purchase", purchases)
        if not purchases:
            return
        lines = self._search(
            "purchase.line",
            [["purchase", "in", [p["id"] for p in purchases]], ["type", "=", "line"]],
            ["purchase", "product.code", "quantity", "unit_price", "delivery_date", "moves"],
            context={},
        )  # fmt: skip
        received = self._done_quantities([m for line in lines for m in line["moves"]])
        by_purchase: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for line in lines:
            by_purchase[line["purchase"]].append(line)
        for purchase in purchases:
            own = sorted(by_purchase[purchase["id"]], key=lambda line: line["id"])
            read.rows["purchase_orders"].append(
                {"po_number": purchase["number"],
                 "supplier_code": (purchase.get("party.") or {}).get("code"),
                 "location_code": warehouses.get(purchase["warehouse"]),
                 "order_date": _iso(purchase["purchase_date"]),
                 "status": _purchase_status(purchase)}
            )  # fmt: skip
            for number, line in enumerate(own, start=1):
                read.rows["purchase_order_lines"].append(
                    {"po_number": purchase["number"], "line_number": number,
                     "sku": (line.get("product.") or {}).get("code"),
                     "ordered_quantity": _number(line["quantity"]),
                     "unit_price": _number(line["unit_price"]),
                     "promised_date": _iso(line["delivery_date"]),
                     "received_quantity": sum(received.get(m, 0.0) for m in line["moves"])}
                )  # fmt: skip

    def _transfers(self, read: _Read, changed: list[Any], warehouses: Mapping[int, str]) -> None:
        shipments = self._search(
            "stock.shipment.internal", [["state", "in", _SHIPMENT_STATES], *changed],
            ["number", "reference", "from_location", "to_location", "state",
             "planned_date", "planned_start_date", "effective_date", "effective_start_date",
             "moves", "write_date", "create_date"], context={},
        )  # fmt: skip
        read.saw("stock.shipment.internal", shipments)
        moves = {
            m["id"]: m
            for m in self._search(
                "stock.move", [["id", "in", [i for s in shipments for i in s["moves"]]]],
                ["product.code", "quantity", "state"], context={},
            )
        } if shipments else {}  # fmt: skip
        for shipment in shipments:
            source = self._zones.get(shipment["from_location"])
            target = self._zones.get(shipment["to_location"])
            if source is None or target is None or source == target:
                continue  # a move inside one warehouse is not a transfer
            number = shipment["number"] or f"ISH-{shipment['id']}"
            read.rows["transfer_orders"].append(
                {"transfer_number": number, "from_location_code": warehouses.get(source),
                 "to_location_code": warehouses.get(target),
                 "created_date": _iso(shipment["planned_start_date"] or shipment["planned_date"]
                                      or shipment["create_date"]),
                 "status": _transfer_status(shipment["state"]),
                 "shipped_date": _iso(shipment["effective_start_date"]),
                 "expected_date": _iso(shipment["planned_date"]),
                 "received_date": _iso(shipment["effective_date"])}
            )  # fmt: skip
            for line_number, move_id in enumerate(sorted(shipment["moves"]), start=1):
                move = moves.get(move_id, {})
                done = move.get("state") == "done"
                read.rows["transfer_order_lines"].append(
                    {"transfer_number": number, "line_number": line_number,
                     "sku": (move.get("product.") or {}).get("code"),
                     "quantity": _number(move.get("quantity")),
                     "shipped_quantity": _number(move.get("quantity")) if done else None,
                     "received_quantity": _number(move.get("quantity")) if done else None}
                )  # fmt: skip

    def _done_quantities(self, move_ids: Sequence[int]) -> dict[int, float]:
        if not move_ids:
            return {}
        found = self._search(
            "stock.move", [["id", "in", list(move_ids)], ["state", "=", "done"]], ["quantity"],
            context={},
        )  # fmt: skip
        return {m["id"]: _number(m["quantity"]) or 0.0 for m in found}

    def _tiers(self, category_ids: Sequence[int]) -> dict[int, str]:
        if not category_ids:
            return {}
        found = self._search(
            "party.category", [["id", "in", sorted(set(category_ids))]], ["name"], context={}
        )
        return {c["id"]: c["name"].lower() for c in found if c["name"].lower() in TIERS}


def _changed_since(since: str | None) -> list[Any]:
    if since is None:
        return []
    moment = datetime.fromisoformat(since)
    return [["OR", ["write_date", ">", moment], ["create_date", ">", moment]]]


def _is_changed(record: Mapping[str, Any], changed: list[Any]) -> bool:
    if not changed:
        return True
    moment = changed[0][1][2]
    stamps = (record.get("write_date"), record.get("create_date"),
              (record.get("template.") or {}).get("write_date"))  # fmt: skip
    return any(isinstance(s, datetime) and s > moment for s in stamps)


def _sale_status(sale: Mapping[str, Any], lines: Sequence[Mapping[str, Any]],
                 shipped: Mapping[int, float]) -> str:  # fmt: skip
    if sale["state"] == "cancelled":
        return "cancelled"
    if sale["state"] == "done" or sale.get("shipment_state") == "sent":
        return "shipped"
    if any(shipped.get(m, 0.0) for line in lines for m in line["moves"]):
        return "partially_shipped"
    return "released" if sale["state"] == "processing" else "open"


def _purchase_status(purchase: Mapping[str, Any]) -> str:
    if purchase["state"] == "cancelled":
        return "cancelled"
    if purchase["state"] == "done" or purchase.get("shipment_state") == "received":
        return "received"
    if purchase.get("shipment_state") == "partially":
        return "partially_received"
    return "acknowledged" if purchase["state"] == "processing" else "sent"


def _transfer_status(state: str) -> str:
    return {"request": "planned", "waiting": "planned", "assigned": "released",
            "shipped": "in_transit", "done": "received", "cancelled": "cancelled"}.get(
        state, "planned"
    )  # fmt: skip


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows).drop_duplicates(ignore_index=True)
    frame["_row"] = frame.index + 1
    return frame


def _days(value: Any) -> int | None:
    if isinstance(value, timedelta):
        return value.days + (1 if value.seconds else 0)
    return None


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None
