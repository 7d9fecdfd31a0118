"""The webhook API over real HTTP, on both stores, with the server's own delivery worker
sending to a real receiver on 127.0.0.1 (``STAKEMAP_WEBHOOK_ALLOW_LOOPBACK`` on where the
test says so). Waits poll the delivery log until a deadline; none is a fixed sleep."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from schemas.common import KeyRole
from schemas.webhooks import MAX_WEBHOOKS_PER_TENANT
from tests.api.test_http import make_org
from tests.webhooks.conftest import (
    SECRET,
    WORKER_SETTINGS,
    Receiver,
    Served,
    wait_until,
)
from tests.webhooks.test_delivery import verify

Serve = Callable[..., Served]
ALL_EVENTS = ["person.joined", "person.left", "person.stance_changed", "relationship.created"]


def register(admin: httpx.Client, url: str, **extra: Any) -> dict[str, Any]:
    body = {"url": url, "events": ALL_EVENTS, "secret": SECRET, **extra}
    response = admin.post("/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    hook: dict[str, Any] = response.json()
    return hook


def log(admin: httpx.Client, hook: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    response = admin.get(f"/v1/webhooks/{hook['id']}/deliveries", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def settled(admin: httpx.Client, hook: dict[str, Any], count: int = 1) -> list[dict[str, Any]]:
    """The webhook's deliveries once ``count`` of them are no longer pending."""

    def done() -> list[dict[str, Any]] | None:
        found = log(admin, hook)
        finished = [d for d in found if d["status"] != "pending"]
        return found if len(finished) >= count else None

    answer: list[dict[str, Any]] = wait_until(done, f"{count} settled deliveries")
    return answer


def test_deliveries_are_signed_sent_and_logged(serve: Serve, receiver: Receiver) -> None:
    served = serve(**WORKER_SETTINGS)
    admin, editor = served.client(KeyRole.ADMIN), served.client(KeyRole.EDITOR)
    hook = register(admin, receiver.url, description="CRM sync")
    org_id = make_org(editor)
    created = editor.post(f"/v1/organisations/{org_id}/people", json={"name": "Ann"})
    assert created.status_code == 201
    [delivery] = settled(admin, hook)
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == (
        "delivered",
        1,
        204,
    )
    [request] = receiver.wait_for(1)
    assert verify(SECRET, request.headers["stakemap-signature"], request.body)
    detail = admin.get(f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}")
    assert detail.status_code == 200
    assert detail.json()["payload"] == json.loads(request.body)
    assert detail.json()["payload"]["data"]["person"]["id"] == created.json()["id"]
    assert request.headers["stakemap-delivery"] == delivery["id"]


def test_admins_only_and_the_secret_is_never_answered(serve: Serve, receiver: Receiver) -> None:
    served = serve(**WORKER_SETTINGS)
    admin = served.client(KeyRole.ADMIN)
    body = {"url": receiver.url, "events": ["person.joined"], "secret": SECRET}
    for role in (KeyRole.VIEWER, KeyRole.EDITOR):
        other = served.client(role)
        assert other.post("/v1/webhooks", json=body).status_code == 403
        assert other.get("/v1/webhooks").status_code == 403
    created = admin.post("/v1/webhooks", json=body)
    assert created.status_code == 201
    hook = created.json()
    assert created.headers["location"] == f"/v1/webhooks/{hook['id']}"
    assert created.headers["etag"] == '"1"'
    assert set(hook) == {
        "id",
        "tenant",
        "created_at",
        "updated_at",
        "version",
        "url",
        "events",
        "description",
        "active",
    }
    editor = served.client(KeyRole.EDITOR)
    org_id = make_org(editor)
    editor.post(f"/v1/organisations/{org_id}/people", json={"name": "Ann"})
    [delivery] = settled(admin, hook)
    answers = [
        created,
        admin.get("/v1/webhooks"),
        admin.get(f"/v1/webhooks/{hook['id']}"),
        admin.get(f"/v1/webhooks/{hook['id']}/deliveries"),
        admin.get(f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}"),
        editor.get(f"/v1/organisations/{org_id}/people/{delivery_person(admin, hook, delivery)}"),
        admin.get("/v1/audit"),
    ]
    for answer in answers:
        assert answer.status_code == 200 or answer is created, answer.text
        assert SECRET not in answer.text
    # another tenant's webhook is an unknown one
    stranger = served.client(KeyRole.ADMIN, tenant=f"{served.tenant}-x")
    for path in (f"/v1/webhooks/{hook['id']}", f"/v1/webhooks/{hook['id']}/deliveries"):
        assert stranger.get(path).status_code == 404
    assert stranger.get("/v1/webhooks").json()["items"] == []


def delivery_person(admin: httpx.Client, hook: dict[str, Any], delivery: dict[str, Any]) -> str:
    detail = admin.get(f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}").json()
    person_id: str = detail["payload"]["data"]["person"]["id"]
    return person_id


def test_a_500_is_retried_until_delivered(serve: Serve, make_receiver: Any) -> None:
    receiver = make_receiver(fail_first=2)
    served = serve(**WORKER_SETTINGS)  # three attempts, a millisecond apart
    admin = served.client()
    hook = register(admin, receiver.url)
    org_id = make_org(admin)
    admin.post(f"/v1/organisations/{org_id}/people", json={"name": "Ann"})
    [delivery] = settled(admin, hook)
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == (
        "delivered",
        3,
        204,
    )
    assert len(receiver.wait_for(3)) == 3


def test_a_write_stands_when_the_receiver_is_down(serve: Serve, make_receiver: Any) -> None:
    receiver = make_receiver()
    url = receiver.url
    receiver.close()
    served = serve(**WORKER_SETTINGS)
    admin = served.client()
    hook = register(admin, url)
    org_id = make_org(admin)
    created = admin.post(f"/v1/organisations/{org_id}/people", json={"name": "Ann"})
    assert created.status_code == 201
    [delivery] = settled(admin, hook)
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == (
        "failed",
        WORKER_SETTINGS["webhook_max_attempts"],
        "could not connect",
    )
    person = admin.get(f"/v1/organisations/{org_id}/people/{created.json()['id']}")
    assert person.json()["name"] == "Ann"


def test_a_delivery_enqueued_before_a_restart_is_sent_after_it(
    serve: Serve, receiver: Receiver
) -> None:
    first = serve(webhook_worker=False, webhook_allow_loopback=True)
    admin = first.client()
    hook = register(admin, receiver.url)
    org_id = make_org(admin)
    admin.post(f"/v1/organisations/{org_id}/people", json={"name": "Ann"})
    [pending] = log(admin, hook)
    assert (pending["status"], pending["attempts"]) == ("pending", 0)
    first.server.stop()
    assert receiver.requests == []
    second = serve(**WORKER_SETTINGS)  # a new process on the same store, with a worker
    [delivery] = settled(second.client(), hook)
    assert (delivery["id"], delivery["status"], delivery["attempts"]) == (
        pending["id"],
        "delivered",
        1,
    )
    [request] = receiver.wait_for(1)
    assert request.headers["stakemap-delivery"] == pending["id"]
    assert len(receiver.requests) == 1


def test_refusals_name_the_field(serve: Serve, receiver: Receiver) -> None:
    served = serve()  # STAKEMAP_WEBHOOK_ALLOW_LOOPBACK unset
    admin = served.client()
    good = {"url": "https://93.184.215.14/hook", "events": ["person.joined"], "secret": SECRET}

    def refused(change: dict[str, Any], field: str) -> str:
        response = admin.post("/v1/webhooks", json={**good, **change})
        assert response.status_code == 422, response.text
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        [error] = [e for e in problem["errors"] if e["field"].startswith(field)]
        assert len(response.content) < 2_000  # never the whole input echoed back
        reason: str = error["reason"]
        return reason

    assert "https" in refused({"url": receiver.url}, "url")
    https_loopback = receiver.url.replace("http://", "https://")
    assert "(loopback)" in refused({"url": https_loopback}, "url")
    assert "(link-local)" in refused({"url": "https://169.254.169.254/latest"}, "url")
    assert "could not be resolved" in refused({"url": "https://no-such-host.invalid/x"}, "url")
    refused({"url": "https://" + "a" * 5_000 + ".example/"}, "url")
    refused({"events": ["person.joined", "person.teleported"]}, "events")
    refused({"events": []}, "events")
    refused({"secret": "short"}, "secret")
    refused({"secret": "s" * 257}, "secret")
    assert admin.get("/v1/webhooks").json()["items"] == []


def test_delete_needs_if_match_and_takes_the_log(serve: Serve, receiver: Receiver) -> None:
    served = serve(webhook_worker=False, webhook_allow_loopback=True)
    admin = served.client()
    hook = register(admin, receiver.url)
    path = f"/v1/webhooks/{hook['id']}"
    org_id = make_org(admin)
    admin.post(f"/v1/organisations/{org_id}/people", json={"name": "Ann"})
    assert len(log(admin, hook)) == 1
    assert admin.delete(path).status_code == 428
    assert admin.delete(path, headers={"If-Match": '"7"'}).status_code == 412
    assert admin.get(path).headers["etag"] == '"1"'
    assert admin.delete(path, headers={"If-Match": '"1"'}).status_code == 204
    assert admin.get(path).status_code == 404
    assert admin.get(f"{path}/deliveries").status_code == 404


def test_lists_page_and_the_number_of_webhooks_is_bounded(serve: Serve, receiver: Receiver) -> None:
    served = serve(webhook_worker=False, webhook_allow_loopback=True)
    admin = served.client()
    made = {register(admin, f"{receiver.url}/{n}")["id"] for n in range(MAX_WEBHOOKS_PER_TENANT)}
    over = admin.post(
        "/v1/webhooks", json={"url": receiver.url, "events": ALL_EVENTS, "secret": SECRET}
    )
    assert over.status_code == 409
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 7} | ({"cursor": cursor} if cursor else {})
        page = admin.get("/v1/webhooks", params=params).json()
        seen += [hook["id"] for hook in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == seen
    assert set(seen) == made
    # a webhook's log pages too, oldest first, and filters by status
    hook = {"id": seen[0]}
    org_id = make_org(admin)
    admin.post(
        f"/v1/organisations/{org_id}/import",
        json={"people": [{"ref": str(n), "name": f"Person {n}"} for n in range(5)]},
    )
    everything = log(admin, hook, limit=500)
    assert len(everything) == 5
    first = log(admin, hook, limit=2)
    rest = log(admin, hook, limit=500, cursor=first[-1]["id"])
    assert [d["id"] for d in first + rest] == [d["id"] for d in everything]
    assert [d["created_at"] for d in everything] == sorted(d["created_at"] for d in everything)
    assert log(admin, hook, status="delivered") == []
    assert len(log(admin, hook, status="pending")) == 5


def test_personal_data_export_and_erasure_cover_the_delivery_log(
    serve: Serve, receiver: Receiver
) -> None:
    served = serve(webhook_worker=False, webhook_allow_loopback=True)
    admin, editor = served.client(KeyRole.ADMIN), served.client(KeyRole.EDITOR)
    hook = register(admin, receiver.url)
    org_id = make_org(editor)
    ids = editor.post(
        f"/v1/organisations/{org_id}/import",
        json={"people": [{"ref": "a", "name": "Ann"}, {"ref": "b", "name": "Bob"}]},
    ).json()["ids"]
    exported = editor.get(f"/v1/organisations/{org_id}/people/{ids['a']}/export").json()
    [named] = exported["webhook_deliveries"]
    assert named["payload"]["data"]["person"]["name"] == "Ann"
    assert named["webhook_id"] == hook["id"]
    erased = editor.post(f"/v1/organisations/{org_id}/people/{ids['a']}/erase")
    assert erased.status_code == 204
    remaining = log(admin, hook)
    texts = [admin.get(f"/v1/webhooks/{hook['id']}/deliveries/{d['id']}").text for d in remaining]
    assert len(texts) == 1
    assert "Ann" not in "".join(texts)
    assert "Bob" in texts[0]
