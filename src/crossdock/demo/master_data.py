"""Frames for the slow-moving entities: warehouses, lanes, items, suppliers, customers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crossdock.demo.catalogue import CATEGORIES, Catalogue
from crossdock.demo.frames import entity_frame
from crossdock.demo.network import Network
from crossdock.demo.site_codes import mapping_rows
from crossdock.domain.canonical import LOCATION_TYPES


def network_frames(network: Network) -> dict[str, pd.DataFrame]:
    codes = np.array(network.codes, dtype=object)
    dc, branch = LOCATION_TYPES
    return {
        "locations": entity_frame(
            "locations",
            {
                "location_code": codes,
                "name": list(network.names),
                "location_type": [dc if is_dc else branch for is_dc in network.is_dc],
                "region": list(network.regions),
                "parent_location_code": [
                    None if parent is None else network.codes[parent] for parent in network.parents
                ],
            },
        ),
        "lanes": entity_frame(
            "lanes",
            {
                "from_location_code": codes[network.lane_from],
                "to_location_code": codes[network.lane_to],
                "transit_days": network.lane_transit_days,
                "cost_per_unit": network.lane_cost,
                "capacity_units_per_day": network.lane_capacity,
                "mode": list(network.lane_mode),
            },
        ),
    }


def catalogue_frames(catalogue: Catalogue) -> dict[str, pd.DataFrame]:
    c = catalogue
    category_names = np.array([category.name for category in CATEGORIES], dtype=object)
    return {
        "items": entity_frame(
            "items",
            {
                "sku": c.skus,
                "description": c.descriptions,
                "uom": c.uoms,
                "pack_size": c.pack_sizes,
                "order_multiple": c.order_multiples,
                "unit_cost": c.unit_costs,
                "unit_price": c.unit_prices,
                "criticality": c.criticality,
                "lifecycle": c.lifecycle,
                "category": category_names[c.category],
            },
        ),
        "suppliers": entity_frame(
            "suppliers",
            {
                "supplier_code": c.supplier_codes,
                "name": c.supplier_names,
                "country": c.supplier_countries,
                "default_lead_time_days": c.supplier_lead_days,
            },
        ),
        "customers": entity_frame(
            "customers",
            {
                "customer_code": c.customer_codes,
                "name": c.customer_names,
                "service_tier": c.customer_tiers,
                "region": c.customer_regions,
            },
        ),
        "supply_terms": entity_frame(
            "supply_terms",
            {
                "supplier_code": c.supplier_codes[c.term_supplier],
                "sku": c.skus[c.term_sku],
                "lead_time_days": c.term_lead_days,
                "moq": c.term_moq,
                "order_multiple": c.term_order_multiple,
                "unit_price": c.term_price,
                "is_primary": c.term_is_primary,
            },
        ),
    }


def reason_code_frame(network: Network) -> pd.DataFrame:
    return entity_frame("reason_code_mappings", mapping_rows(network.codes))
