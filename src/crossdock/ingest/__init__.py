"""Import validation: raw entity frames in, typed canonical frames and a data-quality report out.

Pure: frames in, frames out. Reading files is the files adapter's job; writing
accepted rows and quarantined rows is the store's.
"""

from crossdock.ingest.batch import (
    RawEntityFrame,
    item_uoms_of,
    iter_validations,
    reason_code_mappings_of,
    validate_batch,
)
from crossdock.ingest.issues import ISSUE_COLUMNS, Check, Severity
from crossdock.ingest.known import REFERENCED_KEYS, KnownKeys
from crossdock.ingest.report import DataQualityReport, EntitySummary
from crossdock.ingest.result import EntityValidation
from crossdock.ingest.validate import MALFORMED_COLUMN, ROW_COLUMN, validate_entity

__all__ = [
    "ISSUE_COLUMNS",
    "MALFORMED_COLUMN",
    "REFERENCED_KEYS",
    "ROW_COLUMN",
    "Check",
    "DataQualityReport",
    "EntitySummary",
    "EntityValidation",
    "KnownKeys",
    "RawEntityFrame",
    "Severity",
    "item_uoms_of",
    "iter_validations",
    "reason_code_mappings_of",
    "validate_batch",
    "validate_entity",
]
