"""Offline reports: self-contained HTML pages and JSON files written for people to read.

`write_simulation_report` turns the network simulator's results into `results.json`
and `report.html` (inline CSS and SVG; no scripts, fonts or links); `write_brief` the
weekly executive brief as HTML and Markdown with SVG charts.
"""

from crossdock.adapters.reports.brief import BriefFiles, write_brief
from crossdock.adapters.reports.simulation_report import json_safe, write_simulation_report

__all__ = ["BriefFiles", "json_safe", "write_brief", "write_simulation_report"]
