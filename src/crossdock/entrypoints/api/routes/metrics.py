"""`GET /metrics`: Prometheus text format. The outbox gauges are read from the store at
each scrape; the per-agent counters live in the worker that delivers (`crossdock worker
--metrics-port`, or the one `crossdock serve` embeds)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    registry: CollectorRegistry = request.app.state.metrics
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
