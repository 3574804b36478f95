"""Validate a whole import: every entity in load order, each seeing what came before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol

import pandas as pd

from crossdock.domain.canonical import ENTITIES, entity
from crossdock.domain.reason_codes import ReasonCode, ReasonCodeMap, ReasonCodeMapping
from crossdock.ingest.known import KnownKeys
from crossdock.ingest.result import EntityValidation
from crossdock.ingest.validate import validate_entity

_LOAD_ORDER = {candidate.name: position for position, candidate in enumerate(ENTITIES)}


class RawEntityFrame(Protocol):
    """One raw frame of one entity, e.g. a file the folder reader read."""

    @property
    def entity(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def frame(self) -> pd.DataFrame: ...


def validate_batch(
    raws: Iterable[RawEntityFrame],
    *,
    as_of: dt.datetime,
    known: KnownKeys | None = None,
    item_uoms: Mapping[str, str] | None = None,
    reason_code_mappings: Iterable[ReasonCodeMapping] = (),
) -> list[EntityValidation]:
    """Validate every frame in canonical load order; see `iter_validations`."""
    return list(
        iter_validations(
            raws,
            as_of=as_of,
            known=known,
            item_uoms=item_uoms,
            reason_code_mappings=reason_code_mappings,
        )
    )


def iter_validations(
    raws: Iterable[RawEntityFrame],
    *,
    as_of: dt.datetime,
    known: KnownKeys | None = None,
    item_uoms: Mapping[str, str] | None = None,
    reason_code_mappings: Iterable[ReasonCodeMapping] = (),
) -> Iterator[EntityValidation]:
    """Validate every frame in canonical load order, one at a time.

    Each accepted entity's keys, items' units of measure and reason-code mappings
    are available to the entities validated after it, together with what the
    caller says exists already (typically read from the database). The next frame
    is validated only when the caller asks for it, so a caller can land each
    result before the next is checked.

    Args:
        raws: the frames, in any order.
        as_of: the moment the data is judged at.
        known: keys that exist already; updated in place with accepted keys.
        item_uoms: stocking unit per SKU that exists already.
        reason_code_mappings: site code mappings that exist already.

    Yields:
        One validation per frame, in load order.
    """
    known = KnownKeys() if known is None else known
    uoms = dict(item_uoms or {})
    mappings = list(reason_code_mappings)
    for raw in sorted(raws, key=lambda candidate: _LOAD_ORDER[entity(candidate.entity).name]):
        spec = entity(raw.entity)
        result = validate_entity(
            spec,
            raw.frame,
            source=raw.source,
            known=known,
            item_uoms=uoms,
            reason_codes=ReasonCodeMap(mappings),
            as_of=as_of,
        )
        known.add_accepted(result)
        if spec.name == "items":
            uoms.update(item_uoms_of(result.accepted))
        if spec.name == "reason_code_mappings":
            mappings.extend(reason_code_mappings_of(result.accepted))
        yield result


def item_uoms_of(items: pd.DataFrame) -> dict[str, str]:
    """Stocking unit of measure per SKU of an accepted items frame."""
    return dict(zip(items["sku"], items["uom"], strict=True))


def reason_code_mappings_of(mappings: pd.DataFrame) -> list[ReasonCodeMapping]:
    """The mappings of an accepted reason_code_mappings frame."""
    return [
        ReasonCodeMapping(scope=scope, site_code=site_code, reason_code=ReasonCode(code))
        for scope, site_code, code in zip(
            mappings["scope"], mappings["site_code"], mappings["reason_code"], strict=True
        )
    ]
