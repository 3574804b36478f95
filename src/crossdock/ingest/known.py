"""The keys other records may point at, gathered as entities are accepted."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping

from crossdock.domain.canonical import ENTITIES
from crossdock.ingest.result import EntityValidation

KeyRef = tuple[str, str]  # (entity, field)

REFERENCED_KEYS: frozenset[KeyRef] = frozenset(
    field.references for entity in ENTITIES for field in entity.fields if field.references
)


class KnownKeys(MutableMapping[KeyRef, set[str]]):
    """Per referenced (entity, field), the values that exist.

    Seed it with what the database already holds, then `add_accepted` each entity
    as it is validated, in load order, so that later entities can point at it.
    """

    def __init__(self, initial: Mapping[KeyRef, Iterable[str]] | None = None) -> None:
        self._keys: dict[KeyRef, set[str]] = {}
        for ref, values in (initial or {}).items():
            self.add(ref, values)

    def __getitem__(self, ref: KeyRef) -> set[str]:
        return self._keys[ref]

    def __setitem__(self, ref: KeyRef, values: set[str]) -> None:
        self._keys[ref] = values

    def __delitem__(self, ref: KeyRef) -> None:
        del self._keys[ref]

    def __iter__(self) -> Iterator[KeyRef]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, ref: KeyRef, values: Iterable[str]) -> None:
        """Record `values` as existing for `ref`."""
        self._keys.setdefault(ref, set()).update(values)

    def add_accepted(self, validation: EntityValidation) -> None:
        """Record the accepted values of every field of the entity that others reference."""
        name = validation.entity.name
        for entity_name, field in REFERENCED_KEYS:
            if entity_name == name:
                column = validation.accepted[field]
                self.add((name, field), (value for value in column.dropna().unique()))
