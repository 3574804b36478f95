import pytest

from crossdock.domain.canonical import ENTITIES, ENTITIES_BY_NAME, FieldKind, entity


def test_every_natural_key_field_exists_and_is_required():
    for spec in ENTITIES:
        for name in spec.natural_key:
            field = spec.field(name)
            assert field.required, f"{spec.name}.{name} is in the key but optional"


def test_references_point_at_entities_loaded_no_later_than_the_referrer():
    order = [spec.name for spec in ENTITIES]
    for spec in ENTITIES:
        for field in spec.fields:
            if field.references:
                target, target_field = field.references
                assert order.index(target) <= order.index(spec.name), (spec.name, field.name)
                assert target_field in ENTITIES_BY_NAME[target].field_names


def test_reference_targets_are_natural_keys_so_they_identify_one_record():
    for spec in ENTITIES:
        for field in spec.fields:
            if field.references:
                target, target_field = field.references
                assert ENTITIES_BY_NAME[target].natural_key == (target_field,)


def test_code_fields_list_their_allowed_values():
    for spec in ENTITIES:
        for field in spec.fields:
            assert (field.kind is FieldKind.CODE) == bool(field.allowed), (spec.name, field.name)


def test_uom_and_freshness_fields_exist_where_declared():
    for spec in ENTITIES:
        for name in (spec.uom_field, spec.freshness_field):
            if name is not None:
                spec.field(name)


def test_unknown_entity_error_lists_the_known_ones():
    with pytest.raises(KeyError, match="known entities: items, locations"):
        entity("itemz")
