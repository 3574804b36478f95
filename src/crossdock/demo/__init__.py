"""A seeded, realistic demo network: every canonical entity, generated in memory."""

from pathlib import Path

from crossdock.demo.generator import generate_demo_network
from crossdock.demo.options import SNAPSHOT_HOUR_UTC, DemoOptions

# SOPs, supplier and customer agreements and policies written for the demo network (its
# default seed's suppliers, customers and sites), ingested by `crossdock demo`.
DEMO_DOCUMENTS = Path(__file__).parent / "documents"

__all__ = ["DEMO_DOCUMENTS", "SNAPSHOT_HOUR_UTC", "DemoOptions", "generate_demo_network"]
