"""The documented file format is the one the code enforces."""

from crossdock.domain.canonical import ENTITIES
from crossdock.entrypoints.cli.schema import BEGIN_MARKER, END_MARKER, schema_as_markdown
from tests.conftest import REPO_ROOT


def test_data_format_doc_embeds_the_current_schema():
    document = (REPO_ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    embedded = document.split(BEGIN_MARKER, 1)[1].split(END_MARKER, 1)[0].strip()
    assert embedded == schema_as_markdown().strip(), (
        "docs/data-format.md is out of date: regenerate the section with `crossdock schema`"
    )


def test_data_model_doc_names_every_entity():
    document = (REPO_ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    missing = [
        spec.name
        for spec in ENTITIES
        if f"`{spec.name}`" not in document and spec.name.replace("_", " ") not in document.lower()
    ]
    assert missing == []
