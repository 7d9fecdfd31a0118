"""The audit log and personal-data rights, over real HTTP on both stores."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx

from schemas.common import KeyRole
from tests.api.test_http import load, make_org
from tests.conftest import ClientFactory, LiveServer, open_store
from tests.contract.test_store_contract import SMALL

SECRET_NOTE = "confidential: prefers golf on Fridays"


def test_every_write_is_audited_without_personal_data(make_client: ClientFactory) -> None:
    admin = make_client(KeyRole.ADMIN)
    editor = make_client(KeyRole.EDITOR)
    org_id = make_org(editor)
    ids = load(editor, org_id, SMALL)
    editor.patch(
        f"/v1/organisations/{org_id}/people/{ids['cfo']}",
        json={"notes": SECRET_NOTE},
        headers={"If-Match": '"1"'},
    )
    editor.post(f"/v1/organisations/{org_id}/people", json={"name": "Broken", "stance": "x"})
    entries = admin.get("/v1/audit", params={"limit": 500}).json()["items"]
    actions = [(e["action"], e["resource"], e["resource_id"]) for e in entries]
    assert ("create", "/v1/organisations", org_id) in actions
    assert ("import", "/v1/organisations/{org_id}/import", org_id) in actions
    patched = [e for e in entries if e["method"] == "PATCH"]
    if patched:  # If-Match may be required; a refused write is not audited either way
        assert patched[0]["resource_id"] == ids["cfo"]
        assert patched[0]["org_id"] == org_id
    assert all(e["status"] < 300 for e in entries)  # the refused POST left no entry
    assert {e["key_id"] for e in entries} == {
        k["id"] for k in admin.get("/v1/keys").json() if k["role"] == "editor"
    }
    text = json.dumps(entries)
    for personal in ("Cleo", "Finn", "Erin", "Avery", SECRET_NOTE):
        assert personal not in text
    assert editor.get("/v1/audit").status_code == 403


def test_personal_data_export_and_erasure(make_client: ClientFactory) -> None:
    editor = make_client(KeyRole.EDITOR)
    admin = make_client(KeyRole.ADMIN)
    org_id = make_org(editor)
    ids = load(editor, org_id, SMALL)
    deal = editor.post(f"/v1/organisations/{org_id}/opportunities", json={"name": "ERP"}).json()
    seat_url = f"/v1/organisations/{org_id}/opportunities/{deal['id']}/committee/{ids['cfo']}"
    editor.put(seat_url, json={"roles": ["economic_buyer"], "stance": "opponent"})
    exported = editor.get(f"/v1/organisations/{org_id}/people/{ids['cfo']}/export")
    assert exported.status_code == 200
    body = exported.json()
    assert [(s["opportunity_id"], s["stance"]) for s in body["committee_seats"]] == [
        (deal["id"], "opponent")
    ]
    assert body["person"]["name"] == "Finn"
    assert {r["type"] for r in body["relationships"]} == {"REPORTS_TO", "INFLUENCES"}
    assert len(body["relationships"]) == 3  # reports to Cleo, Erin reports to them, influences
    assert body["influence"]["person_id"] == ids["cfo"]

    erased = editor.post(f"/v1/organisations/{org_id}/people/{ids['cfo']}/erase")
    assert erased.status_code == 204
    assert editor.get(f"/v1/organisations/{org_id}/people/{ids['cfo']}").status_code == 404
    ties = editor.get(f"/v1/organisations/{org_id}/relationships").json()["items"]
    assert all(ids["cfo"] not in (t["source_id"], t["target_id"]) for t in ties)
    assert editor.get(seat_url).status_code == 404
    assert "Finn" not in editor.get(f"/v1/organisations/{org_id}/influence").text
    trail = admin.get("/v1/audit", params={"limit": 500}).json()["items"]
    erasures = [e for e in trail if e["action"] == "erase"]
    assert [e["resource_id"] for e in erasures] == [ids["cfo"]]
    assert "Finn" not in json.dumps(trail)
    again = editor.post(f"/v1/organisations/{org_id}/people/{ids['cfo']}/erase")
    assert again.status_code == 404


def test_sqlite_erasure_overwrites_the_bytes(tmp_path: Path) -> None:
    """With secure_delete the erased name is gone from the database file itself."""
    from schemas.imports import ImportRequest
    from schemas.resources import OrganisationCreate

    store = open_store("sqlite", tmp_path)
    marker = "Ximena-Erasable-Quetzal"
    org = store.create_organisation("t", OrganisationCreate(name="Acme"))
    ids = store.import_graph(
        "t", org.id, ImportRequest.model_validate({"people": [{"ref": "x", "name": marker}]})
    ).ids
    store.delete_person("t", org.id, ids["x"], erase=True)  # what the erase route does
    store.close()
    database = next(tmp_path.glob("*.db"))
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert marker.encode() not in raw


def test_other_tenants_cannot_export_or_erase(
    make_client: ClientFactory, live_server: LiveServer
) -> None:
    owner = make_client()
    org_id = make_org(owner)
    ids = load(owner, org_id, SMALL)
    stranger = make_client(for_tenant="elsewhere")
    for method, suffix in (("GET", "export"), ("POST", "erase")):
        response = stranger.request(
            method, f"/v1/organisations/{org_id}/people/{ids['ceo']}/{suffix}"
        )
        assert response.status_code == 404
    assert owner.get(f"/v1/organisations/{org_id}/people/{ids['ceo']}").status_code == 200
    assert isinstance(live_server.url, str)
    assert httpx.get(live_server.url + "/healthz").status_code == 200


def test_deal_and_committee_writes_are_audited_without_their_names(
    make_client: ClientFactory,
) -> None:
    """Creating, changing and deleting a deal and seating someone on its committee each
    leave one entry naming the resource and its id; the deal's name and amount, which can
    be commercially sensitive, never appear."""
    admin = make_client(KeyRole.ADMIN)
    editor = make_client(KeyRole.EDITOR)
    org_id = make_org(editor)
    ids = load(editor, org_id, SMALL)
    deals = f"/v1/organisations/{org_id}/opportunities"
    made = editor.post(
        deals, json={"name": "Secret merger tooling", "amount": "990000", "currency": "EUR"}
    )
    assert made.status_code == 201, made.text
    deal_id = made.json()["id"]
    seat = f"{deals}/{deal_id}/committee/{ids['cfo']}"
    assert editor.put(seat, json={"roles": ["economic_buyer"], "stance": "opponent"}).is_success
    assert editor.patch(
        f"{deals}/{deal_id}", json={"stage": "negotiation_review"}, headers={"If-Match": '"1"'}
    ).is_success
    assert editor.delete(seat, headers={"If-Match": '"1"'}).is_success
    assert editor.delete(f"{deals}/{deal_id}", headers={"If-Match": '"2"'}).is_success

    entries = admin.get("/v1/audit", params={"limit": 500}).json()["items"]
    about_deals = [
        (e["method"], e["resource"], e["resource_id"])
        for e in entries
        if "opportunit" in e["resource"]
    ]
    assert about_deals == [
        ("POST", "/v1/organisations/{org_id}/opportunities", deal_id),
        (
            "PUT",
            "/v1/organisations/{org_id}/opportunities/{opp_id}/committee/{person_id}",
            ids["cfo"],
        ),
        ("PATCH", "/v1/organisations/{org_id}/opportunities/{opp_id}", deal_id),
        (
            "DELETE",
            "/v1/organisations/{org_id}/opportunities/{opp_id}/committee/{person_id}",
            ids["cfo"],
        ),
        ("DELETE", "/v1/organisations/{org_id}/opportunities/{opp_id}", deal_id),
    ]
    assert all(e["org_id"] == org_id for e in entries if "opportunit" in e["resource"])
    text = json.dumps(entries)
    assert "Secret merger" not in text
    assert "990000" not in text
