"""What the exceptions list reads: everything that needs a person besides the
recommendations waiting for a decision. The SQL reads are in
`adapters/db/exception_reads.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol

from crossdock.service_layer.listing_ports import Key, PageRequest

DEAD_LETTER: Final = "dead_letter"
QUARANTINED_ROW: Final = "quarantined_row"
FAILED_RECOMMENDATION: Final = "failed_recommendation"
FAILED_JOB: Final = "failed_job"
EXCEPTION_KINDS: Final[tuple[str, ...]] = (
    DEAD_LETTER,
    QUARANTINED_ROW,
    FAILED_RECOMMENDATION,
    FAILED_JOB,
)
# Not about one site: shown only to callers who act for every site.
INSTALLATION_KINDS: Final[frozenset[str]] = frozenset({DEAD_LETTER, QUARANTINED_ROW, FAILED_JOB})


@dataclass(frozen=True, slots=True)
class ExceptionFilter:
    """Which exceptions: of `kinds`, at or after `since` (UTC), and failed
    recommendations of `sites` only (None: every site)."""

    kinds: frozenset[str]
    since: datetime | None = None
    sites: frozenset[str] | None = None


class ExceptionReads(Protocol):
    def exception_page(
        self, *, where: ExceptionFilter, page: PageRequest
    ) -> tuple[list[dict[str, Any]], Key | None]:
        """Exceptions newest first, then by kind and id, each a mapping with `kind`,
        `id`, `at`, `subject`, `reference`, `field`, `value`, `reason` and a `detail`
        mapping of what else its kind knows; and the keyset (at as ISO text, kind, id) of
        the last row when more follow.

        dead letters: subject = stage, reference = event id; detail: channel,
        consumer, attempts. Quarantined rows not resolved: subject = entity,
        reference = the record's natural key; detail: source file, row, check.
        Failed recommendations: subject = kind, reference = sku@to_code; reason = the
        ERP error or the status reason; detail: from_code, erp_attempts.
        Failed jobs (the job's newest finished run failed): subject = job, reason =
        error; detail: trigger, slot.
        """
        ...
