"""`crossdock policy check`: the version and routing table, or every problem and exit 1."""

import json

import typer
from typer.testing import CliRunner

from crossdock.entrypoints.cli.policy import policy_app
from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples" / "policies"
ENTERPRISE = str(EXAMPLES / "enterprise.yaml")
SITE = str(EXAMPLES / "site-BR01.yaml")

app = typer.Typer()
app.add_typer(policy_app, name="policy")
runner = CliRunner()


def test_check_prints_the_version_and_the_routing_table():
    result = runner.invoke(app, ["policy", "check", ENTERPRISE, SITE])
    assert result.exit_code == 0, result.output
    assert "policy acme-distribution is valid: version acme-distribution@3#" in result.stdout
    assert "BR01" in result.stdout
    assert "supplier_follow_up" in result.stdout
    assert "big-actions" in result.stdout


def test_check_json_gives_each_workflow_per_site():
    result = runner.invoke(app, ["policy", "check", ENTERPRISE, SITE, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is True
    assert payload["version"].startswith("acme-distribution@3#")
    assert payload["sites"] == ["BR01"]
    assert payload["workflows"]["buy"]["*"]["auto_when"]["value_at_most"] == 5000
    assert payload["workflows"]["buy"]["BR01"]["auto_when"]["value_at_most"] == 1000
    assert payload["workflows"]["buy"]["BR01"]["rule"] == "workflows.buy (site BR01)"
    assert payload["workflows"]["expedite"]["BR01"]["second_approver"] == {
        "above_value": 5000,
        "roles": ["executive"],
    }
    assert [rule["id"] for rule in payload["mandatory"]] == [
        "big-actions",
        "key-accounts",
        "no-auto-cancel",
    ]


def test_check_demo_policy_passes():
    demo = REPO_ROOT / "src" / "crossdock" / "governance" / "policy" / "demo.yaml"
    result = runner.invoke(app, ["policy", "check", str(demo)])
    assert result.exit_code == 0, result.output
    assert "version demo@1#" in result.stdout


def test_check_prints_every_problem_on_its_own_line_and_exits_1(tmp_path):
    bad = tmp_path / "enterprise.yaml"
    text = (EXAMPLES / "enterprise.yaml").read_text(encoding="utf-8")
    bad.write_text(
        text.replace("value_at_most: 5000", "value_at_most: lots").replace(
            "[customer_service]", "[customer_servce]"
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["policy", "check", str(bad)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3
    assert lines[0] == (
        f"{bad} line 19: workflows.buy.auto_when.value_at_most: expected a number, got 'lots'"
    )
    assert all(line.startswith(f"{bad} line ") for line in lines)
    assert "unknown role 'customer_servce'" in lines[1]


def test_check_rejects_a_site_file_that_loosens_a_locked_workflow(tmp_path):
    site = tmp_path / "site-BR01.yaml"
    text = (EXAMPLES / "site-BR01.yaml").read_text(encoding="utf-8")
    site.write_text(text.replace("above_value: 5000", "above_value: 50000"), encoding="utf-8")
    result = runner.invoke(app, ["policy", "check", ENTERPRISE, str(site), "--json"])
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["file"] == str(site)
    assert problem["path"] == "workflows.expedite.second_approver.above_value"
    assert problem["value"] == 50000
    assert problem["line"] == text.splitlines().index("      above_value: 5000") + 1
    assert "locked workflows.expedite" in problem["message"]


def test_check_a_missing_file_exits_1(tmp_path):
    result = runner.invoke(app, ["policy", "check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "nope.yaml" in result.stderr
