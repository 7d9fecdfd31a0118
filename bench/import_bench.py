"""Bulk-import throughput: our import against a hand-written best-practice load, same store,
same run, same data.

    python -m bench.import_bench                # 100k contacts in 2k organisations, SQLite
    python -m bench.import_bench --small        # 5k contacts in 100 organisations
    python -m bench.import_bench --store neo4j  # needs STAKEMAP_TEST_NEO4J_URI (or --neo4j-uri)
    python -m bench.import_bench --sweep 30000  # also: rows per transaction, measured

It generates a realistic CRM export (a contacts CSV with Salesforce contact roles and
reporting lines, and a relationships CSV with influence and our team's ties), parses it once
with :mod:`app.crm` (the same validated requests feed both loaders), then times

* **ours**: what ``stakemap import`` writes: ``GraphStore.import_many(upsert=True)`` in
  transactions of ``IMPORT_BATCH_ROWS[store]`` rows, each organisation validated and
  stored whole;
* **reference**: the same rows written the way one would by hand: SQLite, one
  ``executemany`` per table in one transaction; Neo4j, one ``UNWIND ... MERGE`` statement per
  batch of 10,000 rows through the driver (managed transactions, database named);

and reports rows/s of both and their ratio (target >= 0.8), plus the re-import of the same
file (every row unchanged) and the whole ``stakemap import`` command (parse, validate, write)
as context. Results go to ``bench/results/`` as JSON; the markdown table is printed and,
with ``--write-doc``, put in docs/PERFORMANCE.md under "## Bulk import".

Neo4j runs use fresh tenants of the given server and delete them afterwards.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from app.cli.backend import IMPORT_BATCH_ROWS
from app.cli.importing import batches
from app.crm import OrgDraft, ParsedImport, parse_files
from bench._common import DOC, RESULTS, ROOT, machine, machine_line, save, write_section
from graph.port import OrgImport
from graph.records import to_storable
from graph.store import GraphStore
from schemas.resources import OrganisationCreate

DOC_HEADING = "## Bulk import"

#: Rows per UNWIND statement of the Neo4j reference load.
REFERENCE_BATCH = 10_000

# --- a realistic CRM export -------------------------------------------------------------------

FIRST = [
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hannah", "Ivan", "Julia",
    "Karl", "Lena", "Marco", "Nina", "Oliver", "Priya", "Quentin", "Rosa", "Stefan", "Tara",
    "Umar", "Vera", "Wei", "Xenia", "Yusuf", "Zoe", "Aiko", "Björn", "Chloé", "Dmitri",
]  # fmt: skip
LAST = [
    "Weber", "Okafor", "Lindqvist", "Rossi", "Novak", "Haddad", "Tanaka", "Schmidt", "Costa",
    "Berg", "Fischer", "Demir", "Patel", "Dubois", "Ivanova", "Murphy", "Santos", "Keller",
    "Nilsson", "Brandt", "García", "Kowalski", "Larsen", "Meier", "Chen", "Kim", "Singh",
]  # fmt: skip
CJK = ["王小明", "李娜", "张伟", "刘洋", "陈静", "杨磊", "黄敏", "赵强", "佐藤健", "김민준"]
DEPARTMENTS = ["Executive", "Finance", "Operations", "Engineering", "IT", "Procurement", "HR"]
TITLES = {
    0: ["Chief Executive Officer", "Managing Director", "President"],
    1: ["Chief Financial Officer", "Chief Operating Officer", "Chief Technology Officer"],
    2: ["VP Operations", "VP Engineering", "VP Finance", "Head of Procurement"],
    3: ["Director", "Plant Director", "Director of IT", "Controller"],
    4: ["Manager", "Team Lead", "Senior Buyer", "Engineering Manager"],
    5: ["Engineer", "Analyst", "Specialist", "Buyer", "Planner"],
}
ROLES = [
    "", "", "", "Business User", "Evaluator", "Influencer", "Technical Buyer",
    "Decision Maker", "Economic Buyer", "Economic Decision Maker", "Executive Sponsor", "Other",
]  # fmt: skip
STANCES = ["neutral"] * 5 + ["supporter"] * 2 + ["champion", "skeptic", "opponent"]
CONTACT_HEADER = [
    "First Name", "Last Name", "Title", "Email", "Department", "Reports To", "Contact Role",
    "Stance", "Influence", "Contact ID", "Account Name",
]  # fmt: skip
REL_HEADER = ["source", "target", "type", "strength", "last_contact", "organisation"]


@dataclass
class Export:
    contacts: Path
    relationships: Path
    contact_rows: int
    relationship_rows: int
    organisations: int

    @property
    def rows(self) -> int:
        return self.contact_rows + self.relationship_rows


def generate(directory: Path, contacts: int, organisations: int, seed: int = 7) -> Export:
    """Write contacts.csv and relationships.csv: ``contacts`` people in ``organisations``
    accounts of varied size, each a reporting tree with influence and our team's ties."""
    rng = random.Random(seed)
    weights = [rng.lognormvariate(0, 0.6) for _ in range(organisations)]
    scale = contacts / sum(weights)
    sizes = [max(3, round(w * scale)) for w in weights]
    sizes[-1] = max(3, sizes[-1] + contacts - sum(sizes))
    team = [f"team:{first.lower()}.{last.lower()}@ours.example" for first, last in
            zip(FIRST[:12], LAST[:12], strict=True)]  # fmt: skip
    today = date(2026, 6, 1)
    contact_rows = relationship_rows = 0
    directory.mkdir(parents=True, exist_ok=True)
    contacts_path = directory / "contacts.csv"
    relationships_path = directory / "relationships.csv"
    with (
        contacts_path.open("w", newline="", encoding="utf-8-sig") as contacts_file,
        relationships_path.open("w", newline="", encoding="utf-8") as rel_file,
    ):
        people = csv.writer(contacts_file)
        ties = csv.writer(rel_file)
        people.writerow(CONTACT_HEADER)
        ties.writerow(REL_HEADER)
        for org in range(organisations):
            suffix = rng.choice(["AG", "GmbH", "Ltd", "Inc", "SA", "有限公司"])
            account = f"Account {org:05d} {rng.choice(LAST)} {suffix}"
            domain = f"acct{org:05d}.example"
            emails: list[str] = []
            levels: list[int] = []
            for i in range(sizes[org]):
                if rng.random() < 0.08:
                    first, last = rng.choice(CJK), ""
                    local = f"p{i}"
                else:
                    first, last = rng.choice(FIRST), rng.choice(LAST)
                    local = f"{first}.{last}.{i}".lower()
                email = f"{local}@{domain}"
                if i == 0:
                    manager, level = "", 0
                else:
                    # mostly a few levels deep, wide at the bottom
                    boss = rng.randrange(max(1, i // 3), i) if i > 3 else rng.randrange(i)
                    manager, level = emails[boss], min(5, levels[boss] + 1)
                emails.append(email)
                levels.append(level)
                role = rng.choice(ROLES) if level < 4 else rng.choice(ROLES[:6])
                if rng.random() < 0.1 and role:
                    role += ";" + rng.choice(ROLES[3:8])
                people.writerow(
                    [
                        first,
                        last,
                        rng.choice(TITLES[level]),
                        email,
                        rng.choice(DEPARTMENTS),
                        manager,
                        role,
                        rng.choice(STANCES),
                        str(min(5, max(1, 5 - level + rng.choice([-1, 0, 0, 1]))))
                        if rng.random() < 0.8
                        else "",
                        f"003{org:05d}{i:06d}",
                        account,
                    ]
                )
                contact_rows += 1
            # informal influence: someone sways a peer or a superior
            pairs: set[tuple[int, int]] = set()
            for _ in range(sizes[org] // 2):
                a, b = rng.randrange(sizes[org]), rng.randrange(sizes[org])
                if a != b and (a, b) not in pairs and levels[b] <= levels[a]:
                    pairs.add((a, b))
                    ties.writerow(
                        [emails[a], emails[b], "INFLUENCES", f"{rng.uniform(0.2, 0.9):.2f}", "",
                         account]
                    )  # fmt: skip
                    relationship_rows += 1
            # our team knows a few people there
            known = rng.sample(range(sizes[org]), k=min(sizes[org], rng.randint(1, 4)))
            members = rng.sample(team, k=2)
            for j, person in enumerate(known):
                contacted = today - timedelta(days=rng.randint(1, 400))
                ties.writerow(
                    [members[j % 2], emails[person], "KNOWS", f"{rng.uniform(0.3, 0.9):.2f}",
                     contacted.isoformat(), account]
                )  # fmt: skip
                relationship_rows += 1
    return Export(contacts_path, relationships_path, contact_rows, relationship_rows, organisations)


def parse(export: Export) -> ParsedImport:
    parsed = parse_files(
        ("contacts.csv", export.contacts.read_text("utf-8-sig")),
        ("relationships.csv", export.relationships.read_text("utf-8")),
    )
    if parsed.errors:
        raise SystemExit(f"the generated export does not parse: {parsed.errors[:3]}")
    return parsed


# --- the two loaders --------------------------------------------------------------------------


def ours(store: GraphStore, tenant: str, drafts: list[OrgDraft], batch_rows: int) -> int:
    """What ``stakemap import`` writes (for organisations that are all new)."""
    items = [
        (draft, OrgImport(draft.request, create=OrganisationCreate(name=draft.name)))
        for draft in drafts
    ]
    changes = 0
    for batch in batches(items, batch_rows):
        for outcome in store.import_many(tenant, [item for _, item in batch], upsert=True):
            if outcome.result is None:
                raise SystemExit(f"our import refused an organisation: {outcome.errors[:3]}")
            changes += outcome.result.created.total
    return changes


def reimport(store: GraphStore, tenant: str, drafts: list[OrgDraft], batch_rows: int) -> int:
    """The same file again: every organisation exists, every row is unchanged."""
    by_name = {}
    after = None
    while True:
        page = store.list_organisations(tenant, limit=500, after=after)
        by_name.update({o.name: o.id for o in page})
        if len(page) < 500:
            break
        after = page[-1].id
    items = [(d, OrgImport(d.request, org_id=by_name[d.name])) for d in drafts]
    changes = 0
    for batch in batches(items, batch_rows):
        for outcome in store.import_many(tenant, [item for _, item in batch], upsert=True):
            assert outcome.result is not None
            changes += outcome.result.created.total + outcome.result.updated.total
    return changes


@dataclass
class ReferenceRows:
    """Every row of the import as the store keeps it, made the obvious way by hand."""

    organisations: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    team: list[dict[str, Any]] = field(default_factory=list)
    ties: list[dict[str, Any]] = field(default_factory=list)


def reference_rows(tenant: str, drafts: list[OrgDraft]) -> ReferenceRows:
    """Resolve refs to fresh ids and build storable rows: no validation, no matching."""
    now = to_storable(datetime.now(UTC))
    stamp = {"tenant": tenant, "created_at": now, "updated_at": now, "version": 1}
    rows = ReferenceRows()
    team_ids: dict[str, str] = {}
    for draft in drafts:
        org_id = str(uuid.uuid4())
        rows.organisations.append({"id": org_id, "name": draft.name, **stamp})
        ids: dict[str, str] = {}
        for member in draft.request.team:
            if member.ref not in team_ids:
                team_ids[member.ref] = str(uuid.uuid4())
                rows.team.append(
                    {"id": team_ids[member.ref], "name": member.name, "email": member.email,
                     "title": None, "seniority": None, **stamp}
                )  # fmt: skip
            ids[member.ref] = team_ids[member.ref]
        for person in draft.request.people:
            pid = ids[person.ref] = str(uuid.uuid4())
            rows.people.append(
                {
                    "id": pid,
                    **stamp,
                    "org_id": org_id,
                    "name": person.name,
                    "title": person.title,
                    "department": person.department,
                    "email": person.email,
                    "seniority": person.seniority.value if person.seniority else None,
                    "roles": [r.value for r in person.roles],
                    "stance": person.stance.value,
                    "influence": person.influence,
                    "notes": person.notes,
                    "external_id": person.external_id,
                }
            )
        tie_stamp = {**stamp, "org_id": org_id}
        for person in draft.request.people:
            if person.reports_to:
                rows.ties.append(
                    {"id": str(uuid.uuid4()), **tie_stamp, "type": "REPORTS_TO",
                     "source_id": ids[person.ref], "target_id": ids[person.reports_to],
                     "strength": None, "last_contact": None, "channel": None,
                     "dotted": False, "role": None}
                )  # fmt: skip
        for rel in draft.request.relationships:
            rows.ties.append(
                {"id": str(uuid.uuid4()), **tie_stamp, "type": rel.type.value,
                 "source_id": ids[rel.source], "target_id": ids[rel.target],
                 "strength": rel.strength,
                 "last_contact": rel.last_contact.isoformat() if rel.last_contact else None,
                 "channel": rel.channel, "dotted": rel.dotted, "role": None}
            )  # fmt: skip
    return rows


def sqlite_reference(path: Path, tenant: str, drafts: list[OrgDraft]) -> int:
    """One executemany per table, all in one transaction, on the same schema."""
    import sqlite3

    from graph.sqlite_store import (
        _INSERT_ORG,
        _INSERT_PERSON,
        _INSERT_REL,
        _INSERT_TEAM,
        _ORG_COLUMNS,
        _PERSON_COLUMNS,
        _REL_COLUMNS,
        _TEAM_COLUMNS,
        WAL_AUTOCHECKPOINT_PAGES,
    )

    rows = reference_rows(tenant, drafts)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")  # as the store's
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        _INSERT_ORG, [tuple(o.get(c) for c in _ORG_COLUMNS) for o in rows.organisations]
    )
    conn.executemany(
        _INSERT_PERSON,
        [
            tuple(json.dumps(p["roles"]) if c == "roles" else p[c] for c in _PERSON_COLUMNS)
            for p in rows.people
        ],
    )
    conn.executemany(_INSERT_TEAM, [tuple(t[c] for c in _TEAM_COLUMNS) for t in rows.team])
    conn.executemany(_INSERT_REL, [tuple(r[c] for c in _REL_COLUMNS) for r in rows.ties])
    conn.execute("COMMIT")
    conn.close()
    return len(rows.people) + len(rows.ties) + len(rows.team) + len(rows.organisations)


NEO4J_REFERENCE = {
    "organisations": "UNWIND $rows AS row MERGE (o:Organisation {tenant: row.tenant, id: row.id}) "
    "SET o += row",
    "people": "UNWIND $rows AS row MERGE (p:Person {tenant: row.tenant, id: row.id}) SET p += row",
    "team": "UNWIND $rows AS row MERGE (t:TeamMember {tenant: row.tenant, id: row.id}) "
    "SET t += row",
    "REPORTS_TO": "UNWIND $rows AS row "
    "MATCH (s:Person {tenant: row.tenant, id: row.source_id}) "
    "MATCH (t:Person {tenant: row.tenant, id: row.target_id}) "
    "MERGE (s)-[r:REPORTS_TO {id: row.id}]->(t) SET r += row",
    "INFLUENCES": "UNWIND $rows AS row "
    "MATCH (s:Person {tenant: row.tenant, id: row.source_id}) "
    "MATCH (t:Person {tenant: row.tenant, id: row.target_id}) "
    "MERGE (s)-[r:INFLUENCES {id: row.id}]->(t) SET r += row",
    "KNOWS": "UNWIND $rows AS row "
    "MATCH (s:TeamMember {tenant: row.tenant, id: row.source_id}) "
    "MATCH (t:Person {tenant: row.tenant, id: row.target_id}) "
    "MERGE (s)-[r:KNOWS {id: row.id}]->(t) SET r += row",
}


def neo4j_reference(driver: Any, database: str, tenant: str, drafts: list[OrgDraft]) -> int:
    """One UNWIND/MERGE statement per batch of rows, each in a managed transaction."""
    rows = reference_rows(tenant, drafts)

    def load(statement: str, items: list[dict[str, Any]]) -> None:
        for start in range(0, len(items), REFERENCE_BATCH):
            chunk = items[start : start + REFERENCE_BATCH]
            driver.execute_query(statement, rows=chunk, database_=database)

    load(NEO4J_REFERENCE["organisations"], rows.organisations)
    load(NEO4J_REFERENCE["people"], rows.people)
    load(NEO4J_REFERENCE["team"], rows.team)
    for rel_type in ("REPORTS_TO", "INFLUENCES", "KNOWS"):
        load(NEO4J_REFERENCE[rel_type], [t for t in rows.ties if t["type"] == rel_type])
    return len(rows.people) + len(rows.ties) + len(rows.team) + len(rows.organisations)


def neo4j_drop_tenant(driver: Any, database: str, tenant: str) -> None:
    """Delete one bench tenant's nodes (never anything else)."""
    for label in ("Person", "TeamMember", "Organisation"):
        while True:
            records, _, _ = driver.execute_query(
                f"MATCH (n:{label} {{tenant: $tenant}}) WITH n LIMIT 10000 "
                "DETACH DELETE n RETURN count(*) AS n",
                tenant=tenant,
                database_=database,
            )
            if records[0]["n"] == 0:
                break


# --- running ------------------------------------------------------------------------------------


@dataclass
class Target:
    """A store kind to measure on, with fresh, equal starting points for each loader."""

    kind: str
    workdir: Path
    neo4j_uri: str | None = None
    database: str = "neo4j"
    tenants: list[str] = field(default_factory=list)

    def env(self, tenant: str) -> dict[str, str]:
        env = dict(os.environ)
        if self.kind == "neo4j":
            assert self.neo4j_uri is not None
            env |= {
                "STAKEMAP_STORE": "neo4j",
                "STAKEMAP_NEO4J_URI": self.neo4j_uri,
                "STAKEMAP_NEO4J_DATABASE": self.database,
            }
        else:
            env |= {"STAKEMAP_STORE": "sqlite", "STAKEMAP_SQLITE_PATH": str(self.db(tenant))}
        return env

    def db(self, tenant: str) -> Path:
        return self.workdir / f"{tenant}.db"

    def open(self, tenant: str) -> GraphStore:
        self.tenants.append(tenant)
        if self.kind == "neo4j":
            from graph.neo4j_store import Neo4jStore

            assert self.neo4j_uri is not None
            return GraphStore(
                Neo4jStore(
                    self.neo4j_uri,
                    user=os.environ.get("STAKEMAP_NEO4J_USER", "neo4j"),
                    password=os.environ.get("STAKEMAP_NEO4J_PASSWORD", "unused"),
                    database=self.database,
                    timeout=120,
                )
            )
        from graph.sqlite_store import SqliteStore

        return GraphStore(SqliteStore(self.db(tenant)))

    def reference(self, tenant: str, drafts: list[OrgDraft]) -> None:
        self.tenants.append(tenant)
        if self.kind == "neo4j":
            import neo4j

            with neo4j.GraphDatabase.driver(self.neo4j_uri or "", auth=None) as driver:
                neo4j_reference(driver, self.database, tenant, drafts)
            return
        from graph.sqlite_store import SqliteStore

        GraphStore(SqliteStore(self.db(tenant))).close()  # the schema, as the store makes it
        sqlite_reference(self.db(tenant), tenant, drafts)

    def cleanup(self) -> None:
        if self.kind == "neo4j" and self.tenants:
            import neo4j

            with neo4j.GraphDatabase.driver(self.neo4j_uri or "", auth=None) as driver:
                for tenant in self.tenants:
                    neo4j_drop_tenant(driver, self.database, tenant)
        self.tenants.clear()


def _tenant(label: str) -> str:
    return f"bench-{label}-{uuid.uuid4().hex[:8]}"


def _cli(target: Target, tenant: str, export: Export) -> tuple[float, str]:
    stakemap = Path(sys.executable).with_name("stakemap")
    command = [
        str(stakemap), "import", str(export.contacts), "--relationships",
        str(export.relationships), "--tenant", tenant,
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(
        command, env=target.env(tenant), capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"stakemap import failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, done.stdout


def measure(
    target: Target, export: Export, parsed: ParsedImport, *, batch_rows: int, repeat: int, cli: bool
) -> dict[str, Any]:
    """Reference and ours, alternating, ``repeat`` times; the median of each counts."""
    drafts = parsed.organisations
    rows = export.rows
    runs: dict[str, list[float]] = {"reference": [], "ours": [], "reimport": []}
    for _ in range(repeat):
        tenant = _tenant("ref")
        started = time.perf_counter()
        target.reference(tenant, drafts)
        runs["reference"].append(time.perf_counter() - started)
        tenant = _tenant("ours")
        store = target.open(tenant)
        try:
            started = time.perf_counter()
            ours(store, tenant, drafts, batch_rows)
            runs["ours"].append(time.perf_counter() - started)
            started = time.perf_counter()
            changes = reimport(store, tenant, drafts, batch_rows)
            runs["reimport"].append(time.perf_counter() - started)
            if changes:
                raise SystemExit(f"re-import changed {changes} rows; it must change none")
        finally:
            store.close()
        target.cleanup()
    result: dict[str, Any] = {
        "store": target.kind,
        "contacts": export.contact_rows,
        "relationship_rows": export.relationship_rows,
        "organisations": export.organisations,
        "rows": rows,
        "batch_rows": batch_rows,
        "repeat": repeat,
        "seconds": {name: statistics.median(times) for name, times in runs.items()},
        "all_seconds": runs,
    }
    if cli:
        tenant = _tenant("cli")
        first, _ = _cli(target, tenant, export)
        second, output = _cli(target, tenant, export)
        if "Nothing changed" not in output:
            raise SystemExit(f"re-running stakemap import changed something:\n{output}")
        target.tenants.append(tenant)
        target.cleanup()
        result["seconds"] |= {"cli": first, "cli_reimport": second}
    seconds = result["seconds"]
    result["rows_per_s"] = {name: rows / value for name, value in seconds.items()}
    result["ratio"] = seconds["reference"] / seconds["ours"]
    return result


SWEEP_SIZES = [1_000, 2_500, 5_000, 10_000, 20_000]


def sweep(
    target: Target, parsed: ParsedImport, export: Export, rounds: int
) -> list[dict[str, Any]]:
    """Our import at several transaction sizes (rows per ``import_many`` call), in
    ``rounds`` interleaved rounds; the median of each size counts."""
    rates: dict[int, list[float]] = {size: [] for size in SWEEP_SIZES}
    for _ in range(rounds):
        for size in SWEEP_SIZES:
            tenant = _tenant(f"sweep{size}")
            store = target.open(tenant)
            try:
                started = time.perf_counter()
                ours(store, tenant, parsed.organisations, size)
                rates[size].append(export.rows / (time.perf_counter() - started))
            finally:
                store.close()
                target.cleanup()
    found = []
    for size, values in rates.items():
        median = statistics.median(values)
        found.append(
            {"store": target.kind, "batch_rows": size, "rows_per_s": median, "runs": values}
        )
        print(
            f"  {target.kind:6} {size:>6,} rows a transaction: {median:>8,.0f} rows/s", flush=True
        )
    return found


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| store | contacts / organisations | rows | reference rows/s | ours rows/s | ratio "
        "| re-import rows/s | `stakemap import` rows/s (parse + validate + write) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rate = r["rows_per_s"]
        cli = f"{rate['cli']:,.0f} (re-run {rate['cli_reimport']:,.0f})" if "cli" in rate else "-"
        lines.append(
            f"| {r['store']} | {r['contacts']:,} / {r['organisations']:,} | {r['rows']:,} "
            f"| {rate['reference']:,.0f} | {rate['ours']:,.0f} | **{r['ratio']:.2f}** "
            f"| {rate['reimport']:,.0f} | {cli} |"
        )
    return "\n".join(lines)


def sweep_table(found: list[dict[str, Any]]) -> str:
    sizes = sorted({f["batch_rows"] for f in found})
    stores = sorted({f["store"] for f in found})
    lines = [
        "| rows per transaction | " + " | ".join(f"{s} rows/s" for s in stores) + " |",
        "|---:|" + "---:|" * len(stores),
    ]
    for size in sizes:
        cells = [
            next(
                (
                    f"{f['rows_per_s']:,.0f}"
                    for f in found
                    if f["store"] == s and f["batch_rows"] == size
                ),
                "-",
            )
            for s in stores
        ]
        lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.import_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--store", action="append", choices=["sqlite", "neo4j"],
                        help="store(s) to measure [default: sqlite, and neo4j when "
                        "STAKEMAP_TEST_NEO4J_URI is set]")  # fmt: skip
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--small", action="store_true", help="5,000 contacts in 100 organisations")
    parser.add_argument("--repeat", type=int, default=None, help="runs per loader (median; 3)")
    parser.add_argument(
        "--batch-rows", type=int, default=None, help="rows per transaction [default: the CLI's]"
    )
    parser.add_argument("--no-cli", action="store_true", help="skip the stakemap import runs")
    parser.add_argument(
        "--sweep",
        type=int,
        default=0,
        metavar="CONTACTS",
        help="also measure rows per transaction on an export of CONTACTS contacts (3 rounds)",
    )
    parser.add_argument("--neo4j-uri", default=os.environ.get("STAKEMAP_TEST_NEO4J_URI"))
    parser.add_argument(
        "--neo4j-database", default=os.environ.get("STAKEMAP_TEST_NEO4J_DATABASE", "neo4j")
    )
    parser.add_argument("--write-doc", action="store_true", help=f"update {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.small:
        args.contacts, args.organisations = 5_000, 100
    repeat = args.repeat or 3
    stores = args.store or (["sqlite", "neo4j"] if args.neo4j_uri else ["sqlite"])
    if "neo4j" in stores and not args.neo4j_uri:
        parser.error("--store neo4j needs --neo4j-uri or STAKEMAP_TEST_NEO4J_URI")

    info = machine()
    print(machine_line(info), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="stakemap-bench-"))
    try:
        export = generate(workdir, args.contacts, args.organisations)
        print(
            f"generated {export.contact_rows:,} contacts and {export.relationship_rows:,} "
            f"relationship rows in {export.organisations:,} organisations",
            flush=True,
        )
        started = time.perf_counter()
        parsed = parse(export)
        parse_seconds = time.perf_counter() - started
        gc.freeze()  # as stakemap import does: the parsed file is not rescanned by the collector
        print(
            f"parsed and validated the CSV in {parse_seconds:.1f} s "
            f"({export.rows / parse_seconds:,.0f} rows/s)",
            flush=True,
        )
        results: list[dict[str, Any]] = []
        sweeps: list[dict[str, Any]] = []
        for kind in stores:
            target = Target(kind, workdir, args.neo4j_uri, args.neo4j_database)
            try:
                print(f"measuring {kind} ...", flush=True)
                result = measure(
                    target, export, parsed,
                    batch_rows=args.batch_rows or IMPORT_BATCH_ROWS[kind], repeat=repeat,
                    cli=not args.no_cli,
                )  # fmt: skip
                result["parse_seconds"] = parse_seconds
                results.append(result)
                print(table([result]).splitlines()[-1], flush=True)
            finally:
                target.cleanup()
        if args.sweep:
            small = generate(workdir / "sweep", args.sweep, max(1, args.sweep // 50))
            small_parsed = parse(small)
            print(f"rows per transaction, {small.contact_rows:,} contacts:", flush=True)
            for kind in stores:
                target = Target(kind, workdir, args.neo4j_uri, args.neo4j_database)
                try:
                    sweeps += sweep(target, small_parsed, small, rounds=3)
                finally:
                    target.cleanup()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    path = save("import", {"machine": info, "results": results, "sweep": sweeps})
    print(f"\nresults: {path.relative_to(ROOT)}\n")
    print(table(results))
    if sweeps:
        print("\n" + sweep_table(sweeps))
    if args.write_doc and results:
        body = doc_section(info, results, sweeps or latest_sweep(), parse_seconds)
        write_section(DOC_HEADING, body)
        print(f"\nupdated {DOC.relative_to(ROOT)}")
    return 0


def batch_sizes(results: list[dict[str, Any]]) -> str:
    return ", ".join(f"{r['batch_rows']:,} ({r['store']})" for r in results)


def doc_section(
    info: dict[str, Any],
    results: list[dict[str, Any]],
    sweeps: list[dict[str, Any]],
    parse_seconds: float,
) -> str:
    first = results[0]
    today = datetime.now(UTC).date().isoformat()
    return f"""Measured {today} with `python -m bench.import_bench --write-doc`.
{machine_line(info)} Neo4j: the embedded Neo4j 5.26 of `make neo4j-start` (1 GiB heap)
on the same machine.

A generated CRM export, {first["contacts"]:,} contacts in {first["organisations"]:,}
organisations (reporting trees, Salesforce contact roles, influence and our team's ties:
{first["rows"]:,} input rows), is parsed once ({first["rows"] / parse_seconds:,.0f} rows/s,
e-mail validation included) and the same validated requests are loaded twice on a fresh
tenant (Neo4j) or file (SQLite):

* **ours** — what `stakemap import` writes: `GraphStore.import_many(upsert=True)`,
  transactions of {batch_sizes(results)} rows, each organisation validated by `plan_import`
  and stored whole (new rows with `CREATE` / `INSERT`, in `UNWIND` batches / `executemany`);
* **reference** — the same rows by hand, best practice: SQLite, one `executemany` per
  table in one transaction (the store's pragmas); Neo4j, one `UNWIND … MERGE` statement per
  {REFERENCE_BATCH:,} rows through the driver, database named.

Ratio = ours ÷ reference rows/s (target ≥ 0.8); median of {first["repeat"]} alternating runs.
"Re-import" loads the same requests again into the stored graph (every row matched,
unchanged, nothing written). The last column is the whole command in its own process
(`stakemap import contacts.csv --relationships relationships.csv`: read and validate the
CSV, validate against the store, write), and its re-run, which reports "Nothing changed".

{table(results)}
{history(results)}{sweep_section(sweeps)}"""


def history(results: list[dict[str, Any]]) -> str:
    """The ratios of every run of the same size kept in bench/results/, oldest first."""
    size = results[0]["contacts"]
    ratios: dict[str, list[str]] = {}
    for path in sorted(RESULTS.glob("import-*.json")):
        for run in json.loads(path.read_text("utf-8")).get("results", []):
            if run["contacts"] == size:
                ratios.setdefault(run["store"], []).append(
                    f"{run['ratio']:.2f} ({run['batch_rows']:,} rows a transaction)"
                )
    if not any(len(found) > 1 for found in ratios.values()):
        return ""
    runs = "; ".join(f"{store} {', '.join(found)}" for store, found in sorted(ratios.items()))
    return f"""
All runs of this size on this machine so far (ratio, oldest first; the first SQLite one
predates the WAL-checkpoint setting; the machine was shared with other work, so absolute
rows/s moved by up to a factor of two between runs): {runs}.
"""


def latest_sweep() -> list[dict[str, Any]]:
    """The sweep of the newest results file that has one (sweeps take long; reuse them)."""
    for path in sorted(RESULTS.glob("import-*.json"), reverse=True):
        found: list[dict[str, Any]] = json.loads(path.read_text("utf-8")).get("sweep") or []
        if found:
            return found
    return []


def sweep_section(sweeps: list[dict[str, Any]]) -> str:
    if not sweeps:
        return ""
    return f"""
**Rows per transaction.** `IMPORT_BATCH_ROWS` in `app/cli/backend.py` comes from
`--sweep`: our import of a smaller export at each transaction size, three interleaved rounds,
median rows/s. SQLite gains from few large commits (each may checkpoint the WAL, with
fsyncs): 20,000. On Neo4j the sizes from 1,000 to 20,000 are alike within the noise of this
shared machine (single runs vary by a factor of two), so 5,000 — one `UNWIND` statement per
kind of row, few commits (each fsyncs the transaction log), a small transaction state for a
1 GiB heap.

{sweep_table(sweeps)}
"""


if __name__ == "__main__":
    raise SystemExit(main())
