"""Reading a question: intents from the user's words, refusals for acting and off-topic."""

import pytest

from crossdock.copilot import intents
from crossdock.copilot.intents import References, read_question

ORDER = References(order_numbers=("SO-0001042",))
SUPPLIER = References(suppliers=("SUP-07",))


def test_an_order_on_hold_asks_for_its_status_and_the_rules_around_it():
    reading = read_question("Why is order SO-1042 on hold and what can we do?", ORDER)
    assert reading.intents[0] == intents.ORDER_STATUS
    assert intents.DOCUMENTS in reading.intents
    assert reading.refusal is None


def test_pos_at_risk_this_week_ask_for_supplier_risk_over_seven_days():
    reading = read_question(
        "Which POs from supplier Acme are at risk this week and which customers do they hit?",
        SUPPLIER,
    )
    assert intents.SUPPLIER_RISK in reading.intents
    assert reading.days == 7
    assert read_question("POs at risk from Acme this month?", SUPPLIER).days == 30


@pytest.mark.parametrize(
    ("question", "refs", "expected"),
    [
        ("Draft a reply to the customer about the revised ship date", ORDER,
         intents.DRAFT_CUSTOMER),
        ("Please write to the customer about SO-1042", ORDER, intents.DRAFT_CUSTOMER),
        ("Could you draft a follow-up to the supplier about its late POs?", SUPPLIER,
         intents.DRAFT_SUPPLIER),
        ("Send the customer an email about the delay", ORDER, intents.DRAFT_CUSTOMER),
    ],
)  # fmt: skip
def test_asking_for_a_message_is_a_draft(question, refs, expected):
    assert read_question(question, refs).intents[0] == expected


@pytest.mark.parametrize(
    "question",
    [
        "Approve PO-0000123",
        "please release the hold on SO-1042",
        "Can you grant me admin access?",
        "Cancel all recommendations for BR01",
    ],
)
def test_asking_the_copilot_to_act_is_refused(question):
    reading = read_question(question, ORDER)
    assert reading.intents == (intents.ACT,)
    assert "can't change anything" in (reading.refusal or "")


@pytest.mark.parametrize(
    "question",
    ["Write me a poem about the sea", "Who will win the football tonight?", "What is 2+2?"],
)
def test_questions_about_nothing_in_the_business_are_out_of_scope(question):
    reading = read_question(question, References())
    assert reading.intents == (intents.OUT_OF_SCOPE,)
    assert "outside what I can answer" in (reading.refusal or "")


def test_a_question_about_a_rule_reads_the_documents():
    reading = read_question("Who may release a credit hold?", References())
    assert reading.intents == (intents.DOCUMENTS,)


def test_kpis_and_lead_time_are_read_when_asked():
    assert intents.KPIS in read_question("How is our fill rate this week?", References()).intents
    assert intents.LEAD_TIME in read_question("What is Acme's lead time?", SUPPLIER).intents
