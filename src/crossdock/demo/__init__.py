"""A seeded, realistic demo network: every canonical entity, generated in memory."""

from crossdock.demo.generator import generate_demo_network
from crossdock.demo.options import SNAPSHOT_HOUR_UTC, DemoOptions

__all__ = ["SNAPSHOT_HOUR_UTC", "DemoOptions", "generate_demo_network"]
