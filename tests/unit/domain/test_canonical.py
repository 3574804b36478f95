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


def test_not_before_names_another_field_of_the_same_entity_and_kind():
    orderings = [
        (spec.name, field.name, field.not_before)
        for spec in ENTITIES
        for field in spec.fields
        if field.not_before is not None
    ]
    assert orderings == [("promotions", "end_date", "start_date")]
    for name, field_name, earlier in orderings:
        spec = ENTITIES_BY_NAME[name]
        assert earlier != field_name
        assert spec.field(earlier).kind is spec.field(field_name).kind is FieldKind.DATE


def test_bounds_are_ordered_and_rates_are_shares_between_zero_and_one():
    for spec in ENTITIES:
        for field in spec.fields:
            if field.minimum is not None and field.maximum is not None:
                assert field.minimum <= field.maximum, (spec.name, field.name)
            if field.kind is FieldKind.RATE:
                assert (field.minimum, field.maximum) == (0.0, 1.0), (spec.name, field.name)


def test_promotions_load_after_items_and_locations_and_may_be_dated_in_the_future():
    order = [spec.name for spec in ENTITIES]
    promotions = ENTITIES_BY_NAME["promotions"]
    assert order.index("promotions") > max(order.index("items"), order.index("locations"))
    assert not any(field.not_in_future for field in promotions.fields)
    assert promotions.natural_key == ("promotion_code", "sku", "location_code")
