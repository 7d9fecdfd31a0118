"""Salesforce Opportunity and OpportunityContactRole exports into import requests
(:mod:`app.crm`): pure parsing, no store."""

from __future__ import annotations

from typing import Any

import pytest

from app.crm import ParsedImport, parse_files
from schemas.common import BuyingRole, Stance
from schemas.deals import SALESFORCE_STAGE_LABELS, OpportunityStage, OpportunityStatus
from tests.cli.conftest import EXAMPLES

CONTACTS = (
    "Id,FirstName,LastName,Email,Title,ReportsToId,Stance\n"
    "003A,Katrin,Vogel,katrin@acme.example,CEO,,neutral\n"
    "003B,Martin,Brandt,martin@acme.example,CFO,003A,skeptic\n"
    "003C,Mei,Chen,mei@acme.example,CTO,003A,\n"
)
HEADER = "Id,Name,Amount,CurrencyIsoCode,StageName,CloseDate,IsClosed,IsWon,Opportunity Owner\n"


def parse(opportunities: str, contact_roles: str | None = None) -> ParsedImport:
    return parse_files(
        ("contacts.csv", CONTACTS),
        organisation="Acme",
        opportunities=("opportunities.csv", opportunities),
        contact_roles=None if contact_roles is None else ("roles.csv", contact_roles),
    )


def errors(parsed: ParsedImport) -> list[str]:
    return [str(e) for e in parsed.errors]


def test_an_opportunity_row_maps_stage_money_date_and_owner() -> None:
    """A report's formatting is read as a KAM typed it: the stage label, a currency-prefixed
    amount with thousands separators, a US date, the owner's email."""
    parsed = parse(
        HEADER + '006A,ERP renewal,"EUR 125,000.50",,Negotiation/Review,3/31/2027,false,false,'
        "anna.weber@ours.example\n"
    )
    assert errors(parsed) == []
    [draft] = parsed.organisations
    [deal] = draft.request.opportunities
    assert (deal.name, deal.external_id) == ("ERP renewal", "006A")
    assert (deal.stage, deal.status) == (
        OpportunityStage.NEGOTIATION_REVIEW,
        OpportunityStatus.OPEN,
    )
    assert (deal.amount, deal.currency) == ("125000.50", "EUR")
    assert deal.close_date is not None
    assert deal.close_date.isoformat() == "2027-03-31"
    assert deal.owner == "team:anna.weber@ours.example"
    assert [(m.ref, m.name, m.email) for m in draft.request.team] == [
        ("team:anna.weber@ours.example", "Anna Weber", "anna.weber@ours.example")
    ]
    assert parsed.opportunities == 1


@pytest.mark.parametrize(("stage", "label"), SALESFORCE_STAGE_LABELS.items())
def test_every_salesforce_stage_label_and_our_value_is_accepted(
    stage: OpportunityStage, label: str
) -> None:
    for written in (label, label.upper(), stage.value):
        closed = stage in (OpportunityStage.CLOSED_WON, OpportunityStage.CLOSED_LOST)
        won = stage is OpportunityStage.CLOSED_WON
        parsed = parse(HEADER + f"006A,Deal,,,{written},,{closed},{won},\n")
        assert errors(parsed) == [], written
        assert parsed.organisations[0].request.opportunities[0].stage is stage


def test_closed_and_won_flags_must_agree_with_the_stage() -> None:
    """IsClosed/IsWon are Salesforce's own record of the outcome: a row whose flags and
    stage disagree is refused, naming the flag, instead of guessing which one is right."""
    parsed = parse(
        HEADER + "006A,Won but open,,,Qualification,,false,true,\n"
        "006B,Closed but open,,,Prospecting,,true,false,\n"
        "006C,Lost,,,,,true,false,\n"
        "006D,Won,,,,,true,true,\n"
    )
    assert errors(parsed) == [
        "opportunities.csv, row 2, column 'IsWon': is_won is True but the stage is 'Qualification'",
        "opportunities.csv, row 3, column 'IsClosed': is_closed is True but the stage "
        "'Prospecting' is open",
    ]
    stages = [d.stage for d in parsed.organisations[0].request.opportunities]
    assert stages[-2:] == [OpportunityStage.CLOSED_LOST, OpportunityStage.CLOSED_WON]


def test_bad_cells_are_reported_with_file_row_and_column() -> None:
    parsed = parse(
        HEADER + "006A,,,,Qualification,,,,\n"
        "006B,Custom stage,,,Verbal commit,,,,\n"
        "006C,Odd date,,,Prospecting,31.03.2027,,,\n"
        "006D,User id owner,,,Prospecting,,,,005000000000001\n"
        "006E,Too fine,100.123,EUR,Prospecting,,,,\n"
        "006F,Yen cents,100.5,JPY,Prospecting,,maybe,,\n"
    )
    found = errors(parsed)
    assert "opportunities.csv, row 2, column 'Name': an opportunity needs a name" in found
    assert any(
        e.startswith("opportunities.csv, row 3, column 'StageName': unknown stage") for e in found
    )
    assert (
        "opportunities.csv, row 4, column 'CloseDate': date '31.03.2027': use YYYY-MM-DD "
        "or M/D/YYYY" in found
    )
    assert (
        "opportunities.csv, row 5, column 'Opportunity Owner': '005000000000001' is a "
        "Salesforce user id: export the owner's name or email" in found
    )
    assert any(e.startswith("opportunities.csv, row 6, column 'Amount'") for e in found)
    assert any(e.startswith("opportunities.csv, row 7, column 'IsClosed'") for e in found)


ROLES_HEADER = "OpportunityId,ContactId,Role,IsPrimary\n"


def committee(parsed: ParsedImport) -> dict[str, list[tuple[str, list[str], str, bool]]]:
    draft = parsed.organisations[0]
    names = {p.ref: p.name for p in draft.request.people}
    return {
        deal.name: [
            (
                names.get(s.person, s.person),
                [r.value for r in s.roles],
                s.stance.value,
                s.is_primary,
            )
            for s in deal.committee
        ]
        for deal in draft.request.opportunities
    }


def test_contact_roles_seat_the_committee() -> None:
    """One seat per contact and deal: two role rows of the CFO merge into one seat with both
    roles, "Other" seats a contact with no role, IsPrimary marks the primary contact, and the
    seat's stance is the contact's own unless the row says otherwise."""
    parsed = parse(
        HEADER + "006A,ERP,,,Qualification,,,,\n006B,BI,,,Prospecting,,,,\n",
        ROLES_HEADER + "006A,003C,Decision Maker,true\n"
        "006A,003B,Economic Buyer,false\n"
        "006A,003B,Evaluator,\n"
        "006A,003A,Other,false\n"
        "BI,martin@acme.example,Economic Decision Maker,true\n",
    )
    assert errors(parsed) == []
    assert committee(parsed) == {
        "ERP": [
            ("Mei Chen", ["decision_maker"], "neutral", True),
            ("Martin Brandt", ["economic_buyer", "evaluator"], "skeptic", False),
            ("Katrin Vogel", [], "neutral", False),
        ],
        "BI": [("Martin Brandt", ["economic_buyer"], "skeptic", True)],
    }
    assert parsed.contact_roles == 5


def test_a_stance_column_sets_the_stance_for_that_deal() -> None:
    parsed = parse(
        HEADER + "006A,ERP,,,Qualification,,,,\n",
        "OpportunityId,ContactId,Role,Stance\n006A,003B,Economic Buyer,champion\n",
    )
    assert committee(parsed)["ERP"] == [("Martin Brandt", ["economic_buyer"], "champion", False)]


def test_contact_role_rows_that_name_nothing_known_are_refused() -> None:
    parsed = parse(
        HEADER + "006A,ERP,,,Qualification,,,,\n006B,ERP,,,Prospecting,,,,\n",
        ROLES_HEADER + "006X,003A,Decision Maker,true\n"
        "ERP,003A,Decision Maker,true\n"
        "006A,003A,Chief Decider,false\n"
        "006A,003A,Influencer,sometimes\n",
    )
    assert errors(parsed) == [
        "roles.csv, row 2, column 'OpportunityId': '006X' is no opportunity of the "
        "opportunities file",
        "roles.csv, row 3, column 'OpportunityId': 'ERP' names 2 opportunities of the file; "
        "use the opportunity id",
        "roles.csv, row 4, column 'Role': unknown contact role 'Chief Decider' (Salesforce's "
        "picklist or ours)",
        "roles.csv, row 5, column 'IsPrimary': is_primary must be true or false, not 'sometimes'",
    ]


def test_two_primary_contacts_are_refused_on_the_second_row() -> None:
    """Salesforce allows one primary contact role per opportunity, as the API does."""
    parsed = parse(
        HEADER + "006A,ERP,,,Qualification,,,,\n",
        ROLES_HEADER + "006A,003A,Decision Maker,true\n006A,003B,Economic Buyer,true\n",
    )
    assert errors(parsed) == [
        "roles.csv, row 3, column 'IsPrimary': a second primary contact of this opportunity (row 2)"
    ]


def test_a_store_refusal_of_a_seat_points_at_its_contact_role_row() -> None:
    parsed = parse(
        HEADER + "006A,ERP,,,Qualification,,,,\n",
        ROLES_HEADER + "006A,003A,Decision Maker,true\n006A,003Z,Influencer,false\n",
    )
    assert errors(parsed) == []
    draft = parsed.organisations[0]
    error = draft.locate("opportunities[0].committee[1].person", "no such person")
    assert str(error) == "roles.csv, row 3, column 'ContactId': no such person"
    error = draft.locate("opportunities[0].owner", "unknown team member")
    assert str(error) == "opportunities.csv, row 2, column 'Opportunity Owner': unknown team member"


def test_contact_roles_need_the_opportunities() -> None:
    parsed = parse_files(
        ("contacts.csv", CONTACTS),
        organisation="Acme",
        contact_roles=("roles.csv", ROLES_HEADER + "006A,003A,Decision Maker,true\n"),
    )
    assert errors(parsed) == ["roles.csv, row -: contact roles need the opportunities file"]


def test_the_example_salesforce_files_parse_cleanly() -> None:
    """The README's example trio: two accounts, four deals, nine seats from ten role rows."""

    def read(name: str) -> tuple[str, str]:
        return name, (EXAMPLES / name).read_text("utf-8")

    parsed = parse_files(
        read("contacts.csv"),
        read("relationships.csv"),
        opportunities=read("opportunities.csv"),
        contact_roles=read("contact_roles.csv"),
    )
    assert errors(parsed) == []
    deals: dict[str, Any] = {
        deal.name: deal for draft in parsed.organisations for deal in draft.request.opportunities
    }
    assert len(deals) == 4
    assert sum(len(deal.committee) for deal in deals.values()) == 9
    line4 = deals["Line 4 predictive maintenance"]
    assert (line4.amount, line4.currency) == ("480000.00", "EUR")
    influencer = [s for s in line4.committee if BuyingRole.INFLUENCER in s.roles]
    assert influencer[0].roles == [BuyingRole.TECHNICAL_BUYER, BuyingRole.INFLUENCER]
    assert deals["Spare parts framework 2025"].status is OpportunityStatus.WON
    assert deals["MES upgrade"].currency == "CNY"
    assert {s.stance for s in line4.committee} >= {Stance.OPPONENT, Stance.CHAMPION}
