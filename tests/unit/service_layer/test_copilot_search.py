"""Search indexes per reader: built once per set of passages, rebuilt when they change."""

from datetime import date

from crossdock.copilot.model import ALL_ROLES, DocumentMeta, Passage
from crossdock.service_layer.copilot_search import PassageSearch

META = DocumentMeta(key="sop", title="SOP", doc_type="sop", audience=ALL_ROLES)


def _passage(version, text):
    return Passage(f"sop@v{version}#1", "sop", version, 1, "Holds", text, META, "sop.md")


def test_the_same_passages_reuse_their_index_and_a_new_version_builds_another():
    search = PassageSearch(None)
    first = [_passage(1, "Finance releases a credit hold within one day.")]
    assert search.index(first) is search.index(list(first))
    changed = [_passage(2, "The credit desk releases a credit hold within two hours.")]
    assert search.index(changed) is not search.index(first)
    found = search.retrieve(changed, on=date(2026, 11, 21))("who releases a credit hold", k=3)
    assert [p.passage_id for p in found] == ["sop@v2#1"]
