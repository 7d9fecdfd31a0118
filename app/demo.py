"""The demo account: a mid-size manufacturer with 40 stakeholders and a 3-person team.

Built as an ordinary import body, so loading it goes through the same validation and
transaction as any customer import. Contact dates are relative to ``today`` so the demo
always shows a mix of fresh and stale ties.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

DEMO_ORGANISATION: dict[str, Any] = {
    "name": "Nordwerk Industrial Components",
    "industry": "Industrial manufacturing",
    "tier": 1,
    "current_revenue": 420_000,
    "potential_revenue": 2_600_000,
    "external_id": "DEMO-NORDWERK",
}

# ref, name, title, department, seniority, reports_to, roles, stance, influence
_PEOPLE: list[tuple[str, str, str, str, str, str | None, list[str], str, int]] = [
    (
        "ceo",
        "Katrin Vogel",
        "Chief Executive Officer",
        "Executive",
        "executive",
        None,
        ["decision_maker"],
        "neutral",
        5,
    ),
    (
        "cfo",
        "Martin Brandt",
        "Chief Financial Officer",
        "Finance",
        "executive",
        "ceo",
        ["economic_buyer"],
        "skeptic",
        5,
    ),
    (
        "coo",
        "Elena Marquez",
        "Chief Operating Officer",
        "Operations",
        "executive",
        "ceo",
        ["executive_sponsor"],
        "supporter",
        5,
    ),
    (
        "cto",
        "Jonas Lindqvist",
        "Chief Technology Officer",
        "Engineering",
        "executive",
        "ceo",
        ["technical_buyer"],
        "neutral",
        4,
    ),
    ("vp_sales", "Priya Raman", "VP Sales", "Sales", "vp", "ceo", [], "neutral", 3),
    ("vp_hr", "Thomas Keller", "VP People", "HR", "vp", "ceo", [], "neutral", 2),
    (
        "vp_mfg",
        "Stefan Hoffmann",
        "VP Manufacturing",
        "Operations",
        "vp",
        "coo",
        ["influencer"],
        "champion",
        4,
    ),
    (
        "vp_supply",
        "Ana Costa",
        "VP Supply Chain",
        "Operations",
        "vp",
        "coo",
        ["influencer"],
        "supporter",
        4,
    ),
    ("vp_quality", "Henrik Berg", "VP Quality", "Operations", "vp", "coo", [], "neutral", 3),
    (
        "vp_rnd",
        "Mei Chen",
        "VP Research & Development",
        "Engineering",
        "vp",
        "cto",
        ["technical_buyer"],
        "neutral",
        4,
    ),
    ("vp_it", "David Okafor", "VP IT", "IT", "vp", "cto", ["evaluator"], "skeptic", 3),
    (
        "controller",
        "Sabine Roth",
        "Group Controller",
        "Finance",
        "director",
        "cfo",
        ["evaluator"],
        "neutral",
        3,
    ),
    (
        "head_procurement",
        "Lukas Meier",
        "Head of Procurement",
        "Procurement",
        "director",
        "cfo",
        ["gatekeeper"],
        "opponent",
        4,
    ),
    ("treasury", "Olga Petrova", "Treasury Manager", "Finance", "manager", "cfo", [], "neutral", 2),
    (
        "dir_plant_a",
        "Marco Rossi",
        "Plant Director, Augsburg",
        "Operations",
        "director",
        "vp_mfg",
        ["user_buyer"],
        "champion",
        3,
    ),
    (
        "dir_plant_b",
        "Ingrid Nilsson",
        "Plant Director, Linz",
        "Operations",
        "director",
        "vp_mfg",
        ["user_buyer"],
        "supporter",
        3,
    ),
    (
        "dir_maint",
        "Yusuf Demir",
        "Director of Maintenance",
        "Operations",
        "director",
        "vp_mfg",
        ["user_buyer", "evaluator"],
        "supporter",
        3,
    ),
    (
        "dir_logistics",
        "Clara Fischer",
        "Director of Logistics",
        "Operations",
        "director",
        "vp_supply",
        [],
        "neutral",
        2,
    ),
    (
        "dir_sourcing",
        "Pavel Novak",
        "Director of Strategic Sourcing",
        "Procurement",
        "director",
        "vp_supply",
        ["gatekeeper"],
        "skeptic",
        3,
    ),
    (
        "dir_qa",
        "Laura Bianchi",
        "Director of Quality Assurance",
        "Operations",
        "director",
        "vp_quality",
        ["evaluator"],
        "neutral",
        2,
    ),
    (
        "dir_eng",
        "Felix Wagner",
        "Director of Engineering",
        "Engineering",
        "director",
        "vp_rnd",
        ["technical_buyer"],
        "supporter",
        3,
    ),
    (
        "dir_automation",
        "Aiko Tanaka",
        "Director of Automation",
        "Engineering",
        "director",
        "vp_rnd",
        ["influencer"],
        "champion",
        3,
    ),
    (
        "it_architect",
        "Noah Schmidt",
        "Enterprise Architect",
        "IT",
        "manager",
        "vp_it",
        ["evaluator"],
        "neutral",
        3,
    ),
    (
        "it_security",
        "Fatima Haddad",
        "Head of IT Security",
        "IT",
        "manager",
        "vp_it",
        ["gatekeeper"],
        "skeptic",
        3,
    ),
    (
        "buyer_1",
        "Jan Kowalski",
        "Senior Buyer",
        "Procurement",
        "manager",
        "head_procurement",
        [],
        "neutral",
        2,
    ),
    (
        "buyer_2",
        "Sofia Lopez",
        "Category Buyer, Automation",
        "Procurement",
        "individual",
        "head_procurement",
        [],
        "neutral",
        1,
    ),
    (
        "fin_analyst",
        "Ben Carter",
        "Financial Analyst",
        "Finance",
        "individual",
        "controller",
        [],
        "neutral",
        1,
    ),
    (
        "shift_a1",
        "Tobias Wolf",
        "Production Manager, Augsburg",
        "Operations",
        "manager",
        "dir_plant_a",
        ["user_buyer"],
        "champion",
        2,
    ),
    (
        "shift_a2",
        "Nina Schulz",
        "Line Supervisor, Augsburg",
        "Operations",
        "individual",
        "shift_a1",
        ["user_buyer"],
        "supporter",
        1,
    ),
    (
        "shift_b1",
        "Lars Eriksen",
        "Production Manager, Linz",
        "Operations",
        "manager",
        "dir_plant_b",
        ["user_buyer"],
        "neutral",
        2,
    ),
    (
        "maint_lead",
        "Ahmed Saleh",
        "Maintenance Lead",
        "Operations",
        "manager",
        "dir_maint",
        ["user_buyer"],
        "supporter",
        2,
    ),
    (
        "maint_eng",
        "Julia Braun",
        "Reliability Engineer",
        "Operations",
        "individual",
        "maint_lead",
        ["user_buyer"],
        "neutral",
        1,
    ),
    (
        "log_mgr",
        "Kevin Murphy",
        "Warehouse Manager",
        "Operations",
        "manager",
        "dir_logistics",
        [],
        "neutral",
        1,
    ),
    (
        "qa_eng",
        "Rita Santos",
        "Quality Engineer",
        "Operations",
        "individual",
        "dir_qa",
        [],
        "neutral",
        1,
    ),
    (
        "eng_lead",
        "Oliver Hartmann",
        "Lead Controls Engineer",
        "Engineering",
        "manager",
        "dir_eng",
        ["technical_buyer"],
        "champion",
        2,
    ),
    (
        "eng_1",
        "Chloe Dubois",
        "Controls Engineer",
        "Engineering",
        "individual",
        "eng_lead",
        [],
        "neutral",
        1,
    ),
    (
        "automation_eng",
        "Viktor Ivanov",
        "Automation Engineer",
        "Engineering",
        "individual",
        "dir_automation",
        [],
        "supporter",
        1,
    ),
    (
        "ea_ceo",
        "Hannah Becker",
        "Executive Assistant to the CEO",
        "Executive",
        "individual",
        "ceo",
        ["gatekeeper"],
        "neutral",
        2,
    ),
    (
        "board_advisor",
        "Dr. Wilhelm Sauer",
        "Strategy Advisor to the CEO",
        "Executive",
        "executive",
        None,
        ["influencer"],
        "neutral",
        4,
    ),
    (
        "sustainability",
        "Emma Larsen",
        "Head of Sustainability",
        "Executive",
        "director",
        "coo",
        ["influencer"],
        "supporter",
        2,
    ),
]

_DOTTED_LINES = [("it_architect", "dir_eng"), ("sustainability", "ceo")]

# source, target, strength: who sways whose decision
_INFLUENCES = [
    ("cfo", "ceo", 0.8),
    ("coo", "ceo", 0.7),
    ("cto", "ceo", 0.5),
    ("board_advisor", "ceo", 0.7),
    ("ea_ceo", "ceo", 0.3),
    ("head_procurement", "cfo", 0.7),
    ("controller", "cfo", 0.6),
    ("vp_mfg", "coo", 0.8),
    ("vp_supply", "coo", 0.6),
    ("vp_quality", "coo", 0.4),
    ("vp_rnd", "cto", 0.7),
    ("vp_it", "cto", 0.6),
    ("dir_plant_a", "vp_mfg", 0.7),
    ("dir_maint", "vp_mfg", 0.6),
    ("dir_automation", "vp_rnd", 0.6),
    ("dir_eng", "vp_rnd", 0.5),
    ("it_security", "vp_it", 0.7),
    ("dir_sourcing", "head_procurement", 0.5),
    ("eng_lead", "dir_eng", 0.6),
    ("maint_lead", "dir_maint", 0.5),
    ("vp_mfg", "cfo", 0.3),
    ("dir_automation", "vp_mfg", 0.4),
    ("sustainability", "coo", 0.3),
    ("buyer_2", "head_procurement", 0.3),
]

# person--person acquaintance that an introduction can travel along
_PEER_TIES = [
    ("vp_mfg", "cfo", 0.5),
    ("vp_mfg", "vp_rnd", 0.6),
    ("dir_automation", "dir_eng", 0.8),
    ("dir_plant_a", "dir_plant_b", 0.7),
    ("board_advisor", "coo", 0.6),
    ("vp_supply", "head_procurement", 0.6),
    ("eng_lead", "automation_eng", 0.7),
]

_TEAM = [
    ("anna", "Anna Weber", "Key Account Manager", "manager"),
    ("raj", "Raj Patel", "Solutions Engineer", "individual"),
    ("claire", "Claire Dupont", "VP Sales, Central Europe", "vp"),
]

# member, person, strength, days since last contact, channel
_TEAM_TIES = [
    ("anna", "dir_plant_a", 0.8, 12, "meetings"),
    ("anna", "shift_a1", 0.7, 30, "site visits"),
    ("anna", "buyer_1", 0.5, 200, "email"),
    ("anna", "vp_mfg", 0.4, 95, "trade fair"),
    ("raj", "eng_lead", 0.9, 7, "workshops"),
    ("raj", "dir_automation", 0.6, 45, "workshops"),
    ("raj", "maint_lead", 0.5, 150, "phone"),
    ("claire", "board_advisor", 0.6, 400, "industry board"),
]


# Two deals whose buying committees differ: the maintenance rollout is the COO's decision,
# with the CFO (skeptic) holding the budget and the Augsburg plant director coaching us; the
# analytics pilot is the CTO's, and there the Director of Automation, our champion elsewhere,
# opposes it (it competes with his in-house project) while VP IT coaches us.
# ref, name, stage, days to close, trigger, owner, amount (EUR), committee
_DEALS: list[tuple[str, str, str, int, str, str, str, list[tuple[str, list[str], str, bool]]]] = [
    (
        "maintenance_rollout",
        "Predictive maintenance rollout, all plants",
        "proposal_price_quote",
        21,
        "unplanned_replacement",
        "anna",
        "480000.00",
        [
            ("coo", ["decision_maker"], "supporter", True),
            ("cfo", ["economic_buyer"], "skeptic", False),
            ("vp_rnd", ["technical_buyer"], "neutral", False),
            ("dir_maint", ["user_buyer"], "supporter", False),
            ("dir_plant_a", ["user_buyer", "coach"], "champion", False),
            ("head_procurement", ["gatekeeper"], "opponent", False),
        ],
    ),
    (
        "analytics_pilot",
        "Production analytics pilot",
        "qualification",
        120,
        "catching_up",
        "raj",
        "95000.00",
        [
            ("cto", ["decision_maker"], "neutral", True),
            ("controller", ["economic_buyer"], "neutral", False),
            ("vp_it", ["coach", "evaluator"], "champion", False),
            ("it_architect", ["technical_buyer"], "supporter", False),
            ("dir_automation", ["influencer"], "opponent", False),
        ],
    ),
]


def demo_import(today: date | None = None) -> dict[str, Any]:
    """The demo account as a BRIEF §4 import body.

    >>> body = demo_import(date(2026, 1, 1))
    >>> len(body["people"]), len(body["team"]), len(body["opportunities"])
    (40, 3, 2)
    """
    day = today or date.today()
    people = [
        {
            "ref": ref,
            "name": name,
            "title": title,
            "department": department,
            "seniority": seniority,
            "roles": roles,
            "stance": stance,
            "influence": influence,
            "email": f"{ref.replace('_', '.')}@nordwerk.example",
            **({"reports_to": manager} if manager else {}),
        }
        for ref, name, title, department, seniority, manager, roles, stance, influence in _PEOPLE
    ]
    relationships: list[dict[str, Any]] = [
        {"type": "REPORTS_TO", "source": s, "target": t, "dotted": True} for s, t in _DOTTED_LINES
    ]
    relationships += [
        {"type": "INFLUENCES", "source": s, "target": t, "strength": w} for s, t, w in _INFLUENCES
    ]
    relationships += [
        {"type": "KNOWS", "source": s, "target": t, "strength": w} for s, t, w in _PEER_TIES
    ]
    relationships += [
        {
            "type": "KNOWS",
            "source": member,
            "target": person,
            "strength": strength,
            "last_contact": (day - timedelta(days=age)).isoformat(),
            "channel": channel,
        }
        for member, person, strength, age, channel in _TEAM_TIES
    ]
    team = [
        {"ref": ref, "name": name, "title": title, "seniority": seniority}
        for ref, name, title, seniority in _TEAM
    ]
    opportunities = [
        {
            "ref": ref,
            "name": name,
            "stage": stage,
            "close_date": (day + timedelta(days=days)).isoformat(),
            "trigger": trigger,
            "owner": owner,
            "amount": amount,
            "currency": "EUR",
            "external_id": f"DEMO-{ref.upper()}",
            "committee": [
                {"person": person, "roles": roles, "stance": stance, "is_primary": primary}
                for person, roles, stance, primary in committee
            ],
        }
        for ref, name, stage, days, trigger, owner, amount, committee in _DEALS
    ]
    return {
        "people": people,
        "team": team,
        "relationships": relationships,
        "opportunities": opportunities,
    }
