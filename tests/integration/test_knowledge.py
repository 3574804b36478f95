"""The copilot's knowledge base on real databases (SQLite and PostgreSQL): ingesting a
folder, versions on re-ingest, a broken file that does not stop the rest, access by
role, site and effective date, and the CLI and API over it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.entrypoints.api import create_app
from crossdock.entrypoints.cli.app import app
from crossdock.governance.access import SYSTEM, NotAllowed, Principal
from crossdock.service_layer.identity import add_agent, add_person
from crossdock.service_layer.knowledge import (
    document_list,
    ingest_documents,
    ingest_folder,
    visible_passages,
)
from tests.unit.copilot.test_documents import tiny_pdf

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
SECRET = "k" * 48

SHORT_PICKS = """---
key: sop-short-picks
doc_type: sop
---
# Short picks

## When a pick is short

Record the short pick with reason SP and call the branch supervisor.

## Customer contact

Customer service tells the customer the new ship date the same day.
"""

ACME = """---
key: acme-supply
doc_type: supplier_agreement
supplier: SUP-01
effective_from: 2026-01-01
---
# Acme supply agreement

## Lead times

Standard lead time is 14 days from the purchase order.

## Prices

Each case of SKU-000001 costs $12.40; expedited air freight adds a surcharge of 8% of
order value.
"""

NORTHWIND = """<html><head><title>Northwind service agreement</title>
<meta name="crossdock:doc_type" content="customer_agreement">
<meta name="crossdock:customer" content="C-0042">
</head><body>
<h2>Delivery promise</h2><p>Orders placed by 14:00 ship the same day.</p>
<h2>Service credits</h2><p>A late order earns a credit of $50 per order.</p>
</body></html>
"""

BR02_DOCK = """---
key: br02-dock
doc_type: sop
site: BR02
---
# Dock safety at BR02

Keep the dock doors closed between trucks.
"""

OLD_POLICY = """---
key: old-returns
doc_type: policy
effective_from: 2025-01-01
effective_to: 2025-12-31
---
# Returns policy 2025

Returns within 30 days.
"""


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    for name, text in {
        "sops/short-picks.md": SHORT_PICKS,
        "sops/br02-dock.md": BR02_DOCK,
        "agreements/acme.md": ACME,
        "agreements/northwind.html": NORTHWIND,
        "policies/old-returns.markdown": OLD_POLICY,
        "notes/readme.rtf": "not a document type Crossdock reads",
    }.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "agreements" / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    return folder


@pytest.fixture
def people(crossdock: Crossdock) -> dict[str, Principal]:
    roles = {
        "ada": ["admin"],
        "pat": ["planner"],
        "bea": ["buyer"],
        "cas": ["customer_service"],
        "fin": ["finance"],
    }
    found = {
        name: add_person(crossdock.governance, username=name, roles=r, password=PASSWORD, now=NOW)
        for name, r in roles.items()
    }
    found["pat_br01"] = add_person(
        crossdock.governance,
        username="pat_br01",
        roles=["planner"],
        password=PASSWORD,
        now=NOW,
        sites=["BR01"],
    )
    return found


def _headings(passages) -> set[tuple[str, str]]:
    return {(p.document_key, p.heading) for p in passages}


def test_ingesting_a_folder_stores_each_document_and_reports_the_broken_one(
    crossdock, people, docs
):
    report = ingest_folder(crossdock.knowledge, docs, actor=people["ada"], now=NOW)

    assert sorted((d.name, d.key, d.version) for d in report.accepted) == [
        ("agreements/acme.md", "acme-supply", 1),
        ("agreements/northwind.html", "northwind", 1),
        ("policies/old-returns.markdown", "old-returns", 1),
        ("sops/br02-dock.md", "br02-dock", 1),
        ("sops/short-picks.md", "sop-short-picks", 1),
    ]
    assert [(f.name, f.reason.split(" (")[0]) for f in report.failed] == [
        ("agreements/broken.pdf", "not a readable PDF")
    ]
    assert not report.ok
    listed = {row["key"]: row for row in crossdock.knowledge.documents()}
    assert set(listed) == {"acme-supply", "northwind", "old-returns", "br02-dock",
                           "sop-short-picks"}  # fmt: skip
    acme = listed["acme-supply"]
    assert (acme["version"], acme["versions"], acme["passages"]) == (1, 1, 2)
    assert (acme["supplier"], acme["effective_from"], acme["source"]) == (
        "SUP-01",
        "2026-01-01",
        "agreements/acme.md",
    )
    assert acme["ingested_by"] == "ada"
    stored = crossdock.knowledge.passages(doc_types=["supplier_agreement"])
    assert [(p.passage_id, p.heading, p.money_class) for p in stored] == [
        ("acme-supply@v1#1", "Lead times", None),
        ("acme-supply@v1#2", "Prices", "supplier_cost"),
    ]
    assert stored[0].meta.supplier == "SUP-01"


def test_re_ingesting_keeps_unchanged_documents_and_versions_changed_ones(crossdock, people, docs):
    ingest_folder(crossdock.knowledge, docs, actor=people["ada"], now=NOW)
    again = ingest_folder(crossdock.knowledge, docs, actor=people["ada"], now=NOW)
    assert again.accepted == []
    assert len(again.unchanged) == 5

    changed = ACME.replace("14 days", "21 days")
    (docs / "agreements" / "acme.md").write_text(changed, encoding="utf-8")
    third = ingest_folder(crossdock.knowledge, docs, actor=people["ada"], now=NOW)

    assert [(d.key, d.version, d.previous) for d in third.accepted] == [("acme-supply", 2, 1)]
    assert len(third.unchanged) == 4
    current = [p for p in crossdock.knowledge.passages() if p.document_key == "acme-supply"]
    assert [p.passage_id for p in current] == ["acme-supply@v2#1", "acme-supply@v2#2"]
    assert "21 days" in current[0].text
    every = [
        p.passage_id
        for p in crossdock.knowledge.passages(current_only=False)
        if p.document_key == "acme-supply"
    ]
    assert every == ["acme-supply@v1#1", "acme-supply@v1#2", "acme-supply@v2#1",
                     "acme-supply@v2#2"]  # fmt: skip
    row = next(r for r in crossdock.knowledge.documents() if r["key"] == "acme-supply")
    assert (row["version"], row["versions"]) == (2, 2)


def test_same_bytes_with_other_metadata_make_a_new_version(crossdock, people):
    pdf = tiny_pdf([["1. Scope", "Acme ships from Leeds."]], title="Acme terms")
    first = ingest_documents(crossdock.knowledge, [("acme-terms.pdf", pdf)], actor=people["ada"],
                             now=NOW, overrides={"doc_type": "supplier_agreement"})  # fmt: skip
    same = ingest_documents(crossdock.knowledge, [("acme-terms.pdf", pdf)], actor=people["ada"],
                            now=NOW, overrides={"doc_type": "supplier_agreement"})  # fmt: skip
    moved = ingest_documents(
        crossdock.knowledge,
        [("acme-terms.pdf", pdf)],
        actor=people["ada"],
        now=NOW,
        overrides={"doc_type": "supplier_agreement", "site": "BR01"},
    )
    assert [d.version for d in first.accepted] == [1]
    assert [d.version for d in same.unchanged] == [1]
    assert [d.version for d in moved.accepted] == [2]
    assert crossdock.knowledge.latest_version("acme-terms").meta.site == "BR01"


def test_one_ingest_refuses_two_files_for_the_same_document(crossdock, people):
    report = ingest_documents(
        crossdock.knowledge,
        [("a/terms.md", b"# One"), ("b/terms.md", b"# Two")],
        actor=people["ada"],
        now=NOW,
        overrides={"doc_type": "policy"},
    )
    assert [d.name for d in report.accepted] == ["a/terms.md"]
    assert [(f.name, f.reason) for f in report.failed] == [
        ("b/terms.md", "key 'terms' is already given by a/terms.md in this ingest")
    ]


def test_only_those_who_may_import_data_ingest(crossdock, people, docs):
    with pytest.raises(NotAllowed, match="pat"):
        ingest_folder(crossdock.knowledge, docs, actor=people["pat"], now=NOW)
    assert crossdock.knowledge.documents() == []


def test_customer_service_never_receives_supplier_agreement_passages(crossdock, people, docs):
    ingest_folder(crossdock.knowledge, docs, actor=people["ada"], now=NOW)
    seen = visible_passages(crossdock.knowledge, people["cas"])
    assert {p.meta.doc_type for p in seen} == {"sop", "customer_agreement", "policy"}
    assert not [p for p in seen if p.document_key == "acme-supply"]
    # their own customer's credits are customer pricing, which they see
    assert ("northwind", "Service credits") in _headings(seen)
    assert "acme-supply" not in {row["key"] for row in document_list(crossdock.knowledge,
                                                                     people["cas"])}  # fmt: skip


def test_a_planner_sees_the_lead_time_but_not_the_supplier_price(crossdock, people, docs):
    ingest_folder(crossdock.knowledge, docs, actor=people["ada"], now=NOW)
    planner = _headings(visible_passages(crossdock.knowledge, people["pat"]))
    buyer = _headings(visible_passages(crossdock.knowledge, people["bea"]))
    assert ("acme-supply", "Lead times") in planner
    assert ("acme-supply", "Prices") not in planner
    assert ("acme-supply", "Prices") in buyer
    # a buyer does not see customer pricing: the service credits are withheld
    assert ("northwind", "Service credits") not in buyer
    assert ("northwind", "Delivery promise") in buyer
    assert {("acme-supply", "Prices"), ("northwind", "Service credits")} <= _headings(
        visible_passages(crossdock.knowledge, people["fin"])
    )


def test_site_and_effective_date_limit_what_is_handed_out(crossdock, people, docs):
    ingest_folder(crossdock.knowledge, docs, actor=people["ada"], now=NOW)
    everywhere = {p.document_key for p in visible_passages(crossdock.knowledge, people["pat"])}
    at_br01 = {p.document_key for p in visible_passages(crossdock.knowledge, people["pat_br01"])}
    assert "br02-dock" in everywhere
    assert "br02-dock" not in at_br01
    assert "sop-short-picks" in at_br01
    in_2026 = {
        p.document_key
        for p in visible_passages(crossdock.knowledge, people["pat"], on=date(2026, 6, 1))
    }
    in_2025 = {
        p.document_key
        for p in visible_passages(crossdock.knowledge, people["pat"], on=date(2025, 6, 1))
    }
    assert "old-returns" not in in_2026
    assert "acme-supply" in in_2026
    assert "old-returns" in in_2025
    assert "acme-supply" not in in_2025  # effective from 2026-01-01


def test_the_system_reads_everything_and_an_agent_nothing(crossdock, people, docs):
    ingest_folder(crossdock.knowledge, docs, actor=people["ada"], now=NOW)
    agent = add_agent(crossdock.governance, username="bot", actions=["propose"], data=[], now=NOW)
    assert len(visible_passages(crossdock.knowledge, SYSTEM)) == len(crossdock.knowledge.passages())
    assert visible_passages(crossdock.knowledge, agent) == []


# -- the command line ---------------------------------------------------------------------

runner = CliRunner()


def test_cli_ingests_stores_the_good_files_exits_1_and_lists_by_role(
    crossdock, people, docs, database_url
):
    pdf = docs.parent / "acme-terms.pdf"
    pdf.write_bytes(tiny_pdf([["1. Scope", "Acme ships from Leeds."]]))
    base = ["--database-url", database_url, "knowledge"]
    ingested = runner.invoke(app, [*base, "ingest", str(docs), "--as", "ada", "--json"])
    assert ingested.exit_code == 1, ingested.output
    report = json.loads(ingested.stdout)
    assert len(report["accepted"]) == 5
    assert [f["name"] for f in report["failed"]] == ["agreements/broken.pdf"]

    typed = runner.invoke(app, [*base, "ingest", str(pdf), "--type", "supplier_agreement",
                                "--supplier", "SUP-01", "--as", "ada"])  # fmt: skip
    assert typed.exit_code == 0, typed.output
    assert "stored acme-terms.pdf: acme-terms v1" in typed.stdout

    untyped = runner.invoke(app, [*base, "ingest", str(pdf), "--key", "other", "--as", "ada"])
    assert untyped.exit_code == 1
    assert "doc_type=None: missing" in untyped.output

    listed = runner.invoke(app, [*base, "list", "--as", "cas", "--json"])
    assert listed.exit_code == 0, listed.output
    keys = {row["key"] for row in json.loads(listed.stdout)["documents"]}
    assert keys == {"sop-short-picks", "br02-dock", "northwind", "old-returns"}
    table = runner.invoke(app, [*base, "list", "--as", "bea"])
    assert table.exit_code == 0, table.output
    assert "6 documents" in table.stdout  # acme-terms too: the buyer reads agreements


def test_cli_refuses_a_user_who_may_not_import(crossdock, people, docs, database_url):
    done = runner.invoke(app, ["--database-url", database_url, "knowledge", "ingest",
                               str(docs), "--as", "pat"])  # fmt: skip
    assert done.exit_code == 1
    assert "may not import_data" in done.output
    assert crossdock.knowledge.documents() == []


# -- the API ------------------------------------------------------------------------------


@pytest.fixture
def api(database_url: str):
    wired = bootstrap(Settings(database_url=database_url, mode="production", secret_key=SECRET))
    wired.migrate()
    for name, roles in {"ada": ["admin"], "pat": ["planner"], "cas": ["customer_service"]}.items():
        add_person(wired.governance, username=name, roles=roles, password=PASSWORD, now=NOW)
    with TestClient(create_app(wired)) as client:
        yield client, wired
    wired.engine.dispose()


def _sign_in(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_api_upload_stores_documents_and_lists_them_by_role(api):
    client, wired = api
    files = [
        ("files", ("acme.md", ACME.encode(), "text/markdown")),
        ("files", ("terms.pdf", tiny_pdf([["1. Scope", "Leeds."]]), "application/pdf")),
    ]
    response = client.post(
        "/api/v1/knowledge/documents",
        files=files,
        data={"doc_type": "supplier_agreement", "site": "BR01"},
        headers=_sign_in(client, "ada"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert sorted((d["key"], d["version"]) for d in body["accepted"]) == [
        ("acme-supply", 1),
        ("terms", 1),
    ]
    assert body["failed"] == []
    assert {p.source for p in wired.knowledge.passages()} == {"api"}
    assert {p.meta.site for p in wired.knowledge.passages()} == {"BR01"}

    planner = client.get("/api/v1/knowledge/documents", headers=_sign_in(client, "pat"))
    service = client.get("/api/v1/knowledge/documents", headers=_sign_in(client, "cas"))
    assert {row["key"] for row in planner.json()["documents"]} == {"acme-supply", "terms"}
    assert service.json()["documents"] == []


def test_api_upload_needs_import_data_and_reports_files_that_all_failed(api):
    client, wired = api
    files = [("files", ("notes.txt", b"no type given", "text/plain"))]
    refused = client.post("/api/v1/knowledge/documents", files=files,
                          headers=_sign_in(client, "pat"))  # fmt: skip
    assert refused.status_code == 403
    failed = client.post("/api/v1/knowledge/documents", files=files,
                         headers=_sign_in(client, "ada"))  # fmt: skip
    assert failed.status_code == 422
    assert failed.headers["content-type"] == "application/problem+json"
    assert [f["name"] for f in failed.json()["failed"]] == ["notes.txt"]
    assert "doc_type" in failed.json()["detail"]
    assert wired.knowledge.documents() == []
