"""A Hypothesis state machine drives the HTTP API against an in-memory model, on both stores.

Rules create, change and delete organisations, people, team members and ties — with the
right ``If-Match``, a stale one, or none; with ``Idempotency-Key`` retries of creates and
imports — while a second tenant probes the first one's ids. After every step the whole of
what the API shows must equal the model (no divergence), every tie must join nodes that
exist in its organisation or our team (no dangling edge), and nothing of one tenant may
show in the other's answers (no cross-tenant edge).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import LiveServer
from tests.reliability.conftest import key_for

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
KEY = "Idempotency-Key"
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ÄÖ王", min_size=1, max_size=12).map(
    lambda s: s.strip() or "x"
)


@dataclass
class Model:
    """What the API must show: per id, the fields the machine checks."""

    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    team: dict[str, dict[str, Any]] = field(default_factory=dict)
    ties: dict[str, dict[str, Any]] = field(default_factory=dict)

    def bump(self, org_id: str) -> None:
        self.orgs[org_id]["version"] += 1

    def bump_tenant(self) -> None:
        for org in self.orgs.values():
            org["version"] += 1

    def drop_ties(self, node_id: str) -> None:
        for rel_id in [r for r, t in self.ties.items() if node_id in (t["source"], t["target"])]:
            del self.ties[rel_id]


def client(server: LiveServer, tenant: str, answers: Counter[str]) -> httpx.Client:
    """A client of ``tenant`` that counts the answers to its writes by method and status."""
    key = key_for(server, tenant)

    def count(response: httpx.Response) -> None:
        if response.request.method != "GET":
            answers[f"{response.request.method} {response.status_code}"] += 1

    return httpx.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
        event_hooks={"response": [count]},
    )


def all_items(api: httpx.Client, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = api.get(path, params=params)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return items


def etag(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def test_the_api_matches_its_model(unlimited_server: LiveServer, store_kind: str) -> None:
    server = unlimited_server
    steps = {"steps": 0, "checks": 0, "divergences": 0, "dangling": 0, "cross_tenant": 0}
    answers: Counter[str] = Counter()

    class ApiMachine(RuleBasedStateMachine):
        orgs = Bundle("orgs")
        people = Bundle("people")
        members = Bundle("members")
        ties = Bundle("ties")

        def __init__(self) -> None:
            super().__init__()
            suffix = uuid.uuid4().hex[:10]
            self.tenant, self.other_tenant = f"sm-a-{suffix}", f"sm-b-{suffix}"
            self.api = client(server, self.tenant, answers)
            self.other = client(server, self.other_tenant, answers)
            self.model = Model()
            self.other_org = self.other.post("/v1/organisations", json={"name": "B"}).json()

        def teardown(self) -> None:
            self.api.close()
            self.other.close()

        # --- organisations ---------------------------------------------------------------

        @rule(target=orgs, name=names, retry=st.booleans())
        def create_org(self, name: str, retry: bool) -> str:
            key = str(uuid.uuid4())
            created = self.api.post("/v1/organisations", json={"name": name}, headers={KEY: key})
            assert created.status_code == 201, created.text
            if retry:  # a client retry: the same answer, no second organisation
                again = self.api.post("/v1/organisations", json={"name": name}, headers={KEY: key})
                assert again.content == created.content
            org = created.json()
            self.model.orgs[org["id"]] = {"name": name, "version": 1}
            return str(org["id"])

        @rule(org=orgs, tier=st.integers(1, 5), stale=st.sampled_from([None, "old", "none"]))
        def patch_org(self, org: str, tier: int, stale: str | None) -> None:
            if org not in self.model.orgs:
                return
            version = self.model.orgs[org]["version"]
            headers = {} if stale == "none" else etag(version - 1 if stale else version)
            answer = self.api.patch(
                f"/v1/organisations/{org}", json={"tier": tier}, headers=headers
            )
            if stale == "none":
                assert answer.status_code == 428
            elif stale:
                assert answer.status_code == 412
                assert answer.json()["current_version"] == version
            else:
                assert answer.status_code == 200, answer.text
                assert answer.headers["etag"] == f'"{version + 1}"'
                self.model.bump(org)

        @rule(org=consumes(orgs))
        def delete_org(self, org: str) -> None:
            if org not in self.model.orgs:
                return
            answer = self.api.delete(
                f"/v1/organisations/{org}", headers=etag(self.model.orgs[org]["version"])
            )
            assert answer.status_code == 204, answer.text
            del self.model.orgs[org]
            for pid in [p for p, v in self.model.people.items() if v["org"] == org]:
                del self.model.people[pid]
            for rid in [r for r, t in self.model.ties.items() if t["org"] == org]:
                del self.model.ties[rid]

        # --- people --------------------------------------------------------------------

        @rule(target=people, org=orgs, name=names)
        def create_person(self, org: str, name: str) -> Any:
            answer = self.api.post(f"/v1/organisations/{org}/people", json={"name": name})
            if org not in self.model.orgs:
                assert answer.status_code == 404
                return multiple()
            assert answer.status_code == 201, answer.text
            pid = answer.json()["id"]
            self.model.people[pid] = {"org": org, "name": name, "title": None, "version": 1}
            self.model.bump(org)
            return pid

        @rule(
            target=people,
            org=orgs,
            size=st.integers(1, 4),
            retry=st.booleans(),
        )
        def import_people(self, org: str, size: int, retry: bool) -> Any:
            body = {
                "people": [{"ref": f"r{n}", "name": f"imported {n}"} for n in range(size)],
                "relationships": [
                    {"type": "INFLUENCES", "source": f"r{n}", "target": "r0", "strength": 0.5}
                    for n in range(1, size)
                ],
            }
            key = str(uuid.uuid4())
            path = f"/v1/organisations/{org}/import"
            answer = self.api.post(path, json=body, headers={KEY: key})
            if org not in self.model.orgs:
                assert answer.status_code == 404
                return multiple()
            assert answer.status_code == 200, answer.text
            if retry:
                assert self.api.post(path, json=body, headers={KEY: key}).content == answer.content
            ids = answer.json()["ids"]
            for n in range(size):
                self.model.people[ids[f"r{n}"]] = {
                    "org": org,
                    "name": f"imported {n}",
                    "title": None,
                    "version": 1,
                }
            # the new ties' ids are not in the answer: find them, and only them, in the list
            expected = {("INFLUENCES", ids[f"r{n}"], ids["r0"]) for n in range(1, size)}
            new = {
                t["id"]: ("INFLUENCES", t["source_id"], t["target_id"])
                for t in all_items(self.api, f"/v1/organisations/{org}/relationships")
                if t["id"] not in self.model.ties
            }
            assert set(new.values()) == expected
            assert len(new) == len(expected)
            for rel_id, (kind, source, target) in new.items():
                self.model.ties[rel_id] = {
                    "org": org,
                    "type": kind,
                    "source": source,
                    "target": target,
                }
            self.model.bump(org)
            return multiple(*(ids[f"r{n}"] for n in range(size)))

        @rule(person=people, title=names, stale=st.sampled_from([None, "old", "none"]))
        def patch_person(self, person: str, title: str, stale: str | None) -> None:
            known = self.model.people.get(person)
            if known is None:
                return
            path = f"/v1/organisations/{known['org']}/people/{person}"
            version = known["version"]
            headers = {} if stale == "none" else etag(version + 3 if stale else version)
            answer = self.api.patch(path, json={"title": title}, headers=headers)
            if stale == "none":
                assert answer.status_code == 428
            elif stale:
                assert answer.status_code == 412
                assert answer.json()["current_version"] == version
            else:
                assert answer.status_code == 200, answer.text
                known["title"], known["version"] = title.strip(), version + 1
                self.model.bump(known["org"])

        @rule(person=consumes(people))
        def delete_person(self, person: str) -> None:
            known = self.model.people.get(person)
            if known is None:
                return
            answer = self.api.delete(
                f"/v1/organisations/{known['org']}/people/{person}", headers=etag(known["version"])
            )
            assert answer.status_code == 204, answer.text
            del self.model.people[person]
            self.model.drop_ties(person)
            self.model.bump(known["org"])

        # --- our team ------------------------------------------------------------------

        @rule(target=members, name=names)
        def create_member(self, name: str) -> str:
            answer = self.api.post("/v1/team", json={"name": name})
            assert answer.status_code == 201, answer.text
            self.model.team[answer.json()["id"]] = {"name": name, "version": 1}
            self.model.bump_tenant()
            return str(answer.json()["id"])

        @rule(member=consumes(members), stale=st.booleans())
        def delete_member(self, member: str, stale: bool) -> None:
            known = self.model.team.get(member)
            if known is None:
                return
            version = known["version"] + (1 if stale else 0)
            answer = self.api.delete(f"/v1/team/{member}", headers=etag(version))
            if stale:
                assert answer.status_code == 412
                return
            assert answer.status_code == 204, answer.text
            del self.model.team[member]
            self.model.drop_ties(member)
            self.model.bump_tenant()

        # --- ties ----------------------------------------------------------------------

        @rule(target=ties, source=people, target_person=people)
        def influence(self, source: str, target_person: str) -> Any:
            return self._tie("INFLUENCES", source, target_person)

        @rule(target=ties, member=members, target_person=people)
        def knows(self, member: str, target_person: str) -> Any:
            return self._tie("KNOWS", member, target_person)

        def _tie(self, kind: str, source: str, target: str) -> Any:
            target_known = self.model.people.get(target)
            if target_known is None:
                return multiple()
            org = target_known["org"]
            answer = self.api.post(
                f"/v1/organisations/{org}/relationships",
                json={"type": kind, "source_id": source, "target_id": target},
            )
            source_ok = (
                source in self.model.team
                if kind == "KNOWS"
                else self.model.people.get(source, {}).get("org") == org
            )
            duplicate = any(  # both kinds here are directed: the reverse is another tie
                t["type"] == kind and t["source"] == source and t["target"] == target
                for t in self.model.ties.values()
            )
            if not source_ok or source == target or duplicate:
                assert answer.status_code == 422, answer.text
                return multiple()
            assert answer.status_code == 201, answer.text
            rel_id = answer.json()["id"]
            self.model.ties[rel_id] = {"org": org, "type": kind, "source": source, "target": target}
            self.model.bump(org)
            return rel_id

        @rule(tie=consumes(ties))
        def delete_tie(self, tie: str) -> None:
            known = self.model.ties.get(tie)
            if known is None:
                return
            answer = self.api.delete(
                f"/v1/organisations/{known['org']}/relationships/{tie}", headers=etag(1)
            )
            assert answer.status_code == 204, answer.text
            del self.model.ties[tie]
            self.model.bump(known["org"])

        # --- the other tenant --------------------------------------------------------------

        def _probe(self, method: str, path: str, body: Any = None) -> None:
            """The other tenant tries one of ours: 404, exactly as for an unknown id."""
            answer = self.other.request(method, path, json=body, headers=etag(1))
            assert answer.status_code == 404, (method, path, answer.status_code)

        @rule(org=orgs)
        def other_tenant_probes_an_organisation(self, org: str) -> None:
            self._probe("GET", f"/v1/organisations/{org}")
            self._probe("PATCH", f"/v1/organisations/{org}", {"tier": 1})
            self._probe("DELETE", f"/v1/organisations/{org}")
            self._probe("POST", f"/v1/organisations/{org}/people", {"name": "intruder"})

        @rule(person=people, member=members)
        def other_tenant_probes_people(self, person: str, member: str) -> None:
            org = self.model.people.get(person, {}).get("org", "gone")
            self._probe("PATCH", f"/v1/organisations/{org}/people/{person}", {"title": "x"})
            self._probe("DELETE", f"/v1/organisations/{org}/people/{person}")
            self._probe("DELETE", f"/v1/team/{member}")
            tie = self.other.post(
                f"/v1/organisations/{self.other_org['id']}/relationships",
                json={"type": "KNOWS", "source_id": member, "target_id": person},
            )
            assert tie.status_code == 422  # another tenant's ids are unknown ids

        @rule(tie=ties)
        def other_tenant_probes_a_tie(self, tie: str) -> None:
            org = self.model.ties.get(tie, {}).get("org", "gone")
            self._probe("DELETE", f"/v1/organisations/{org}/relationships/{tie}")

        # --- what must always hold -----------------------------------------------------

        @invariant()
        def the_api_shows_the_model(self) -> None:
            steps["steps"] += 1
            orgs = {o["id"]: o for o in all_items(self.api, "/v1/organisations")}
            team = {t["id"]: t for t in all_items(self.api, "/v1/team")}
            people: dict[str, Any] = {}
            ties: dict[str, Any] = {}
            for org_id in orgs:
                for p in all_items(self.api, f"/v1/organisations/{org_id}/people"):
                    people[p["id"]] = p
                for t in all_items(self.api, f"/v1/organisations/{org_id}/relationships"):
                    ties[t["id"]] = t
            shown = {
                "orgs": {k: {"name": v["name"], "version": v["version"]} for k, v in orgs.items()},
                "team": {k: {"name": v["name"], "version": v["version"]} for k, v in team.items()},
                "people": {
                    k: {
                        "org": v["org_id"],
                        "name": v["name"],
                        "title": v["title"],
                        "version": v["version"],
                    }
                    for k, v in people.items()
                },
                "ties": {
                    k: {
                        "org": v["org_id"],
                        "type": v["type"],
                        "source": v["source_id"],
                        "target": v["target_id"],
                    }
                    for k, v in ties.items()
                },
            }
            expected = {
                "orgs": {
                    k: {"name": v["name"].strip(), "version": v["version"]}
                    for k, v in self.model.orgs.items()
                },
                "team": {
                    k: {"name": v["name"].strip(), "version": v["version"]}
                    for k, v in self.model.team.items()
                },
                "people": {
                    k: {**v, "name": v["name"].strip()} for k, v in self.model.people.items()
                },
                "ties": self.model.ties,
            }
            steps["checks"] += 1
            if shown != expected:
                steps["divergences"] += 1
            assert shown == expected
            for tie in ties.values():
                source = people.get(tie["source_id"]) or team.get(tie["source_id"])
                target = people.get(tie["target_id"])
                ok = source is not None and target is not None
                ok = ok and target["org_id"] == tie["org_id"]
                ok = ok and (tie["source_id"] in team or source["org_id"] == tie["org_id"])
                if not ok:
                    steps["dangling"] += 1
                assert ok, f"dangling tie {tie}"
            everything = [*orgs.values(), *team.values(), *people.values(), *ties.values()]
            foreign = [x for x in everything if x["tenant"] != self.tenant]
            theirs = json.dumps(all_items(self.other, "/v1/organisations"))
            leaked = [k for k in (*orgs, *people) if k in theirs]
            steps["cross_tenant"] += len(foreign) + len(leaked)
            assert foreign == []
            assert leaked == []

    run_state_machine_as_test(
        ApiMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    OUTPUT.mkdir(exist_ok=True)
    figures = {"store": store_kind, **steps, "answers": dict(sorted(answers.items()))}
    (OUTPUT / f"stateful-{store_kind}.json").write_text(json.dumps(figures, indent=2))
    print(f"\nstateful API test ({store_kind}): {figures}")
    assert steps["divergences"] == steps["dangling"] == steps["cross_tenant"] == 0
