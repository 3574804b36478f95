"""A small distribution network inside a fresh Tryton database, built through proteus
(run in its own interpreter by `tryton_fixtures.py`: proteus keeps its configuration
for the whole process).

DC1 (Tryton's own warehouse, renamed) replenishes BR1 (2 days) and BR2 (3 days). Items
A100 (hex bolts) and B400 (vests) are bought from SUP1 in 14 days; C900 (a sample)
is not purchasable. Counted stock: A100 420 at DC1, 64 at BR1, 18 at BR2; B400 95 at DC1.
A gold customer's confirmed sale of 30 A100 ships from BR2; a confirmed purchase of
200 A100 from SUP1 is due at DC1 in 10 days.

    TRYTOND_DATABASE__URI=... python tests/integration/tryton_network.py DATABASE
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal

from proteus import Model, config

TODAY = dt.date.today()  # noqa: DTZ011 - Tryton's own today


def build(database: str) -> dict[str, object]:
    cfg = config.set_trytond(database)
    party_model, company_model = Model.get("party.party"), Model.get("company.company")
    currency_model, user_model = Model.get("currency.currency"), Model.get("res.user")
    found = currency_model.find([("code", "=", "USD")])
    usd = found[0] if found else currency_model(name="US Dollar", code="USD", symbol="$")
    usd.save()
    owner = party_model(name="Acme Distribution")
    owner.save()
    company = company_model(party=owner, currency=usd)
    company.save()
    user = user_model(cfg.user)
    user.companies.append(company)
    user.company = company
    user.save()
    cfg._context = user_model.get_preferences(True, {})  # noqa: FBT003

    location = Model.get("stock.location")
    (dc,) = location.find([("type", "=", "warehouse")])
    dc.code, dc.name = "DC1", "Central DC"
    dc.save()

    def warehouse(code: str, name: str) -> object:
        zones = {}
        for kind in ("input", "output", "storage"):
            zones[kind] = location(name=f"{code} {kind}", type="storage")
            zones[kind].save()
        made = location(name=name, code=code, type="warehouse", input_location=zones["input"],
                        output_location=zones["output"], storage_location=zones["storage"],
                        lost_found_location=dc.lost_found_location)  # fmt: skip
        made.save()
        for zone in zones.values():
            zone.parent = made
            zone.save()
        return made

    br1, br2 = warehouse("BR1", "North branch"), warehouse("BR2", "South branch")
    lead_time = Model.get("stock.location.lead_time")
    for target, days in ((br1, 2), (br2, 3)):
        lead_time(warehouse_from=dc, warehouse_to=target, lead_time=dt.timedelta(days=days)).save()

    (unit,) = Model.get("product.uom").find([("name", "=", "Unit")])
    template_model = Model.get("product.template")
    products = {}
    for code, name, price, cost, buyable in (
        ("A100", "Hex bolt M8 x 40", "11.50", "6.20", True),
        ("B400", "Hi-vis vest class 2", "12.00", "5.40", True),
        ("C900", "Sample display", "0.00", "1.00", False),
    ):
        template = template_model(name=name, code=code, type="goods", default_uom=unit,
                                  list_price=Decimal(price), purchasable=buyable, salable=True,
                                  sale_uom=unit)  # fmt: skip
        if buyable:
            template.purchase_uom = unit
        template.save()
        (product,) = template.products
        product.cost_price = Decimal(cost)
        product.save()
        products[code] = product

    supplier = party_model(name="FastenCo", code="SUP1")
    supplier.save()
    terms = Model.get("purchase.product_supplier")
    for code, price in (("A100", "6.20"), ("B400", "5.90")):
        term = terms(template=products[code].template, party=supplier,
                     lead_time=dt.timedelta(days=14))  # fmt: skip
        term.prices.new(quantity=0, unit_price=Decimal(price))
        term.save()
    gold = Model.get("party.category")(name="Gold")
    gold.save()
    customer = party_model(name="Acme Construction", code="C001")
    customer.categories.append(gold)
    customer.save()

    inventory = Model.get("stock.inventory")
    for site, counts in ((dc, {"A100": 420, "B400": 95}), (br1, {"A100": 64}), (br2, {"A100": 18})):
        count = inventory(location=site.storage_location, date=TODAY)
        for code, quantity in counts.items():
            count.lines.new(product=products[code], quantity=quantity)
        count.save()
        count.click("confirm")

    sale = Model.get("sale.sale")(party=customer, warehouse=br2, invoice_method="manual",
                                  shipment_method="order", sale_date=TODAY)  # fmt: skip
    line = sale.lines.new(product=products["A100"], quantity=30)
    line.unit_price = Decimal("11.50")
    sale.save()
    sale.click("quote")
    sale.click("confirm")

    purchase_model = Model.get("purchase.purchase")
    purchase = purchase_model(party=supplier, warehouse=dc, invoice_method="manual",
                              purchase_date=TODAY)  # fmt: skip
    bought = purchase.lines.new(product=products["A100"], quantity=200)
    bought.unit_price = Decimal("6.20")
    bought.delivery_date_edit = True
    bought.delivery_date_store = TODAY + dt.timedelta(days=10)
    purchase.save()
    purchase.click("quote")
    purchase.click("confirm")
    return {"sale": sale.number, "purchase": purchase.number, "company": company.id}


if __name__ == "__main__":
    print(json.dumps(build(sys.argv[1])))
