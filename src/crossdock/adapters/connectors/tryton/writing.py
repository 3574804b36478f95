"""Writing approved recommendations into Tryton, only ever as drafts that Tryton's own
users confirm, and reading back what they did with them.

- A transfer becomes a `stock.shipment.internal` in `draft` from the shipping
  warehouse's storage zone to the receiving warehouse's, with one move.
- A buy becomes a `purchase.purchase` in `draft` for the supplier (the party whose code
  is the supplier code) into the receiving warehouse, with one line at the recommended
  quantity, price and delivery date.

Each carries the recommendation's reference (`crossdock:R-<id>`) in `reference`; before
writing, the connector looks for a document with that reference and returns it if it
is there, so a retry, a re-run or a second worker never makes a second one. What a
document is called afterwards: `<model>,<id>` (`purchase.purchase,12`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from crossdock.adapters.connectors.tryton.session import TrytonRpc
from crossdock.service_layer.connector_ports import (
    DocumentState,
    DocumentStatus,
    Draft,
    ErpRejected,
)

SHIPMENT = "stock.shipment.internal"
PURCHASE = "purchase.purchase"
DOCUMENTS = {"transfer": SHIPMENT, "buy": PURCHASE}
# Tryton's states as the lifecycle sees them: a quotation is still the buyer's to send
_STATUS: Mapping[str, Mapping[str, DocumentStatus]] = {
    SHIPMENT: {"draft": "draft", "request": "draft", "waiting": "confirmed",
               "assigned": "confirmed", "shipped": "confirmed", "done": "confirmed",
               "cancelled": "cancelled"},
    PURCHASE: {"draft": "draft", "quotation": "draft", "confirmed": "confirmed",
               "processing": "confirmed", "done": "confirmed", "cancelled": "cancelled"},
}  # fmt: skip


class TrytonWriter:
    """Drafts in one Tryton database."""

    def __init__(self, rpc: TrytonRpc) -> None:
        self.rpc = rpc
        self._context: dict[str, Any] | None = None

    @property
    def context(self) -> dict[str, Any]:
        if self._context is None:
            self._context = self.rpc.preferences()
        return self._context

    def write_draft(self, draft: Draft) -> str:
        model = DOCUMENTS.get(draft.kind)
        if model is None:
            raise ErpRejected(
                f"recommendation {draft.recommendation_id}: Crossdock writes no {draft.kind!r} "
                f"into Tryton, only {', '.join(DOCUMENTS)}"
            )
        found = self._call(model, "search", [["reference", "=", draft.reference]], 0, 1, None)
        if found:
            return f"{model},{found[0]}"
        values = self._shipment(draft) if model == SHIPMENT else self._purchase(draft)
        created = self._call(model, "create", [values])
        return f"{model},{created[0]}"

    def document_states(self, documents: Sequence[str]) -> dict[str, DocumentState]:
        by_model: dict[str, list[int]] = defaultdict(list)
        for document in documents:
            model, _, number = document.partition(",")
            if model in _STATUS and number.isdigit():
                by_model[model].append(int(number))
        states: dict[str, DocumentState] = {}
        for model, ids in by_model.items():
            found = {
                row["id"]: row["state"]
                for row in self._call(
                    model, "search_read", [["id", "in", ids]], 0, None, None, ["state"]
                )
            }
            for record in ids:
                name = f"{model},{record}"
                if record not in found:
                    states[name] = DocumentState(name, "missing", "deleted")
                else:
                    state = found[record]
                    states[name] = DocumentState(name, _STATUS[model].get(state, "draft"), state)
        return states

    # -- the documents ------------------------------------------------------------------

    def _shipment(self, draft: Draft) -> dict[str, Any]:
        if draft.from_code is None:
            raise ErpRejected(f"recommendation {draft.recommendation_id}: a transfer names no "
                              "shipping warehouse")  # fmt: skip
        source = self._warehouse(draft.from_code)
        target = self._warehouse(draft.to_code)
        product = self._product(draft.sku)
        today = datetime.now(UTC).date()
        arrival = max(draft.arrival or today, today)
        company = self.context.get("company")
        move = {
            "product": product["id"], "quantity": draft.quantity,
            "unit": product["default_uom"], "from_location": source["storage_location"],
            "to_location": target["storage_location"], "company": company,
            "planned_date": arrival,
        }  # fmt: skip
        return {
            "reference": draft.reference,
            "company": company,
            "from_location": source["storage_location"],
            "to_location": target["storage_location"],
            "planned_start_date": today,
            "planned_date": arrival,
            "moves": [["create", [move]]],
        }

    def _purchase(self, draft: Draft) -> dict[str, Any]:
        if draft.from_code is None:
            raise ErpRejected(f"recommendation {draft.recommendation_id}: a buy names no "
                              "supplier")  # fmt: skip
        supplier = self._one("party.party", [["code", "=", draft.from_code]], ["name", "addresses"],
                             what=f"supplier (party) with code {draft.from_code!r}")  # fmt: skip
        warehouse = self._warehouse(draft.to_code)
        product = self._product(draft.sku)
        price = draft.unit_price if draft.unit_price is not None else product["cost_price"]
        company = self.context.get("company")
        currency = self._one("company.company", [["id", "=", company]], ["currency"],
                             what=f"company {company}")["currency"]  # fmt: skip
        line = {
            "product": product["id"],
            "quantity": draft.quantity,
            "unit": product.get("purchase_uom") or product["default_uom"],
            "unit_price": Decimal(str(round(float(price or 0), 4))),
            "description": f"{draft.sku} (Crossdock R-{draft.recommendation_id})",
        }
        if draft.arrival is not None:
            line.update(delivery_date_edit=True, delivery_date_store=draft.arrival)
        return {
            "reference": draft.reference,
            "company": company,
            "currency": currency,
            "party": supplier["id"],
            # what Tryton's client fills in from the party: its first address
            "invoice_address": (supplier["addresses"] or [None])[0],
            "warehouse": warehouse["id"],
            "comment": f"Drafted by Crossdock for recommendation R-{draft.recommendation_id}; "
            "confirm or cancel it here.",
            "lines": [["create", [line]]],
        }

    def _warehouse(self, code: str) -> dict[str, Any]:
        return self._one(
            "stock.location", [["type", "=", "warehouse"], ["code", "=", code]],
            ["storage_location"], what=f"warehouse with code {code!r}",
        )  # fmt: skip

    def _product(self, sku: str) -> dict[str, Any]:
        return self._one(
            "product.product", [["code", "=", sku]],
            ["default_uom", "purchase_uom", "cost_price"], what=f"product with code {sku!r}",
        )  # fmt: skip

    def _one(
        self, model: str, domain: list[Any], fields: list[str], *, what: str
    ) -> dict[str, Any]:
        found = self._call(model, "search_read", domain, 0, 2, None, fields)
        if len(found) != 1:
            many = "more than one" if found else "no"
            raise ErpRejected(f"Tryton has {many} {what}")
        return dict(found[0])

    def _call(self, model: str, method: str, *args: Any) -> Any:
        return self.rpc.execute(model, method, *args, context=self.context)
