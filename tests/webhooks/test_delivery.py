"""Sending the outbox, on both stores: signatures, retries, bounds, leases, the SSRF rules.

A real receiver on 127.0.0.1 answers; the worker is driven by hand (``run_once``) on a fake
clock that the tests move past each backoff, so nothing waits and nothing depends on how
fast the machine is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable

import pytest

from app.webhooks import DeliveryPolicy, DeliveryWorker, DestinationPolicy, DestinationRefused
from graph.store import GraphStore
from graph.webhook_store import WebhookStore
from schemas.resources import OrganisationCreate, PersonCreate, PersonUpdate
from schemas.webhooks import EventName
from tests.webhooks.conftest import (
    SECRET,
    FakeClock,
    Policy,
    Receiver,
    deliveries,
    subscribe,
    sweep_until_settled,
)

Make = Callable[..., DeliveryWorker]


def one_person(store: GraphStore, tenant: str, name: str = "Ann") -> tuple[str, str]:
    org = store.create_organisation(tenant, OrganisationCreate(name="Acme"))
    person = store.create_person(tenant, org.id, PersonCreate(name=name))
    return org.id, person.id


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does (docs/API.md): recompute the HMAC of "t.body" and compare."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(
        secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def test_a_delivery_is_signed_and_verifies(
    store: GraphStore,
    webhooks: WebhookStore,
    tenant: str,
    receiver: Receiver,
    make_worker: Make,
    clock: FakeClock,
) -> None:
    hook = subscribe(webhooks, tenant, receiver.url, [EventName.PERSON_JOINED])
    org_id, person_id = one_person(store, tenant)
    assert make_worker().run_once() >= 1
    [request] = receiver.wait_for(1)
    [delivery] = deliveries(webhooks, tenant, hook)
    assert request.path == "/hook"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["stakemap-event"] == "person.joined"
    assert request.headers["stakemap-delivery"] == delivery.id
    signature = request.headers["stakemap-signature"]
    stamp = int(signature.split(",")[0].removeprefix("t="))
    assert abs(stamp - clock.now) < 60
    assert verify(SECRET, signature, request.body)
    assert not verify("another-secret-0123456789", signature, request.body)
    assert not verify(SECRET, signature, request.body.replace(b"Ann", b"Bob"))
    body = json.loads(request.body)
    assert body == webhooks.get_delivery(tenant, hook.id, delivery.id).payload
    assert (body["event"], body["org_id"], body["data"]["person"]["id"]) == (
        "person.joined",
        org_id,
        person_id,
    )
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None


def test_a_500_is_retried_with_backoff_until_it_succeeds(
    store: GraphStore,
    webhooks: WebhookStore,
    tenant: str,
    make_receiver: Callable[..., Receiver],
    make_worker: Make,
    clock: FakeClock,
) -> None:
    receiver = make_receiver(fail_first=2)
    hook = subscribe(webhooks, tenant, receiver.url, [EventName.PERSON_JOINED])
    one_person(store, tenant)
    worker = make_worker()
    worker.run_once()
    [first] = deliveries(webhooks, tenant, hook)
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
    assert first.last_error == "answered 500"
    wait = first.next_attempt_at.timestamp() - clock.now  # type: ignore[union-attr]
    assert Policy.retry_base_seconds - 5 <= wait <= Policy.retry_base_seconds * 1.1
    assert worker.run_once() == 0  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    clock.advance(wait + 0.01)
    worker.run_once()
    [second] = deliveries(webhooks, tenant, hook)
    assert (second.status, second.attempts) == ("pending", 2)
    second_wait = second.next_attempt_at.timestamp() - clock.now  # type: ignore[union-attr]
    assert second_wait >= 2 * Policy.retry_base_seconds - 5  # doubled
    [settled] = sweep_until_settled(worker, clock, webhooks, tenant, hook)
    assert (settled.status, settled.attempts, settled.last_status_code) == ("delivered", 3, 204)
    assert settled.last_error is None
    sent = receiver.wait_for(3)
    assert len({r.headers["stakemap-delivery"] for r in sent}) == 1  # one delivery, 3 tries
    assert len({r.body for r in sent}) == 1  # the same bytes each time


def test_a_receiver_that_always_fails_gets_exactly_max_attempts(
    store: GraphStore,
    webhooks: WebhookStore,
    tenant: str,
    make_receiver: Callable[..., Receiver],
    make_worker: Make,
    clock: FakeClock,
) -> None:
    receiver = make_receiver(status=503)
    hook = subscribe(webhooks, tenant, receiver.url, [EventName.PERSON_JOINED])
    one_person(store, tenant)
    worker = make_worker()
    [failed] = sweep_until_settled(worker, clock, webhooks, tenant, hook)
    assert (failed.status, failed.attempts, failed.last_status_code) == (
        "failed",
        Policy.max_attempts,
        503,
    )
    for _ in range(5):  # no storm: however long it runs, nothing more is sent
        clock.advance(10_000.0)
        assert worker.run_once() == 0
    assert len(receiver.requests) == Policy.max_attempts


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        pytest.param({"status": 302, "headers": {"Location": "/elsewhere"}}, "redirect", id="302"),
        pytest.param({"status": 404}, "answered 404", id="404"),
    ],
)
def test_redirects_and_errors_are_failures(
    store: GraphStore,
    webhooks: WebhookStore,
    tenant: str,
    make_receiver: Callable[..., Receiver],
    make_worker: Make,
    answer: dict[str, object],
    error: str,
) -> None:
    receiver = make_receiver(**answer)
    hook = subscribe(webhooks, tenant, receiver.url, [EventName.PERSON_JOINED])
    one_person(store, tenant)
    make_worker().run_once()
    [delivery] = deliveries(webhooks, tenant, hook)
    assert delivery.status == "pending"
    assert error in (delivery.last_error or "")
    assert [r.path for r in receiver.requests] == ["/hook"]  # the redirect was not followed


def test_a_receiver_that_is_down_is_retried_and_the_write_stands(
    store: GraphStore,
    webhooks: WebhookStore,
    tenant: str,
    make_receiver: Callable[..., Receiver],
    make_worker: Make,
    clock: FakeClock,
) -> None:
    receiver = make_receiver()
    url = receiver.url
    receiver.close()  # nobody listens there any more
    hook = subscribe(webhooks, tenant, url, [EventName.PERSON_JOINED])
    org_id, person_id = one_person(store, tenant)
    assert store.get_person(tenant, org_id, person_id).name == "Ann"
    make_worker().run_once()
    [delivery] = deliveries(webhooks, tenant, hook)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.last_error == "could not connect"


def test_a_destination_that_turns_private_is_refused_at_delivery(
    store: GraphStore,
    webhooks: WebhookStore,
    tenant: str,
    receiver: Receiver,
    make_worker: Make,
) -> None:
    """DNS rebinding: the name resolved to a public address when the webhook was registered,
    and resolves to loopback now; the attempt is refused, nothing is sent."""
    hook = subscribe(webhooks, tenant, "https://hooks.receiver.example/in")
    one_person(store, tenant)
    rebound = DestinationPolicy(allow_loopback=False, resolve=lambda host, port: ["127.0.0.1"])
    make_worker(destinations=rebound).run_once()
    [delivery] = deliveries(webhooks, tenant, hook)
    assert delivery.status == "pending"
    assert delivery.last_error is not None
    assert delivery.last_error.startswith(
        "destination refused: the host resolves to an address webhooks may not reach (loopback)"
    )
    assert receiver.requests == []


def test_one_delivery_is_leased_to_one_worker(
    store: GraphStore, webhooks: WebhookStore, tenant: str, clock: FakeClock
) -> None:
    hook = subscribe(webhooks, tenant, "https://receiver.example/hook", [EventName.PERSON_JOINED])
    one_person(store, tenant)
    [pending] = deliveries(webhooks, tenant, hook)
    now = clock.now
    first = webhooks.claim_due(now, lease_seconds=60.0, limit=1000)
    second = webhooks.claim_due(now, lease_seconds=60.0, limit=1000)
    assert pending.id in {c.id for c in first}
    assert pending.id not in {c.id for c in second}
    # the first worker died: after its lease the delivery is claimed again, one more attempt
    again = webhooks.claim_due(now + 61.0, lease_seconds=60.0, limit=1000)
    [claim] = [c for c in again if c.id == pending.id]
    assert claim.attempts == 2
    # the dead worker's outcome, recorded late, is ignored: its lease is not this one
    [stale] = [c for c in first if c.id == pending.id]
    webhooks.settle_delivery(
        {
            "id": stale.id,
            "lease": stale.lease,
            "status": "delivered",
            "next_attempt_at": now,
            "last_status_code": 200,
            "last_error": None,
            "last_attempt_at": None,
            "delivered_at": None,
            "settled_at": now,
        }
    )
    [still] = deliveries(webhooks, tenant, hook)
    assert (still.status, still.attempts) == ("pending", 2)


def test_a_worker_that_keeps_dying_mid_send_still_stops_at_max_attempts(
    store: GraphStore,
    webhooks: WebhookStore,
    tenant: str,
    receiver: Receiver,
    make_worker: Make,
    clock: FakeClock,
) -> None:
    hook = subscribe(webhooks, tenant, receiver.url, [EventName.PERSON_JOINED])
    one_person(store, tenant)
    [pending] = deliveries(webhooks, tenant, hook)
    lease = Policy.lease_seconds
    for _ in range(Policy.max_attempts):  # claimed, then the process dies before it sends
        claimed = webhooks.claim_due(clock.now, lease_seconds=lease, limit=1000)
        assert pending.id in {c.id for c in claimed}
        clock.advance(lease + 1.0)
    make_worker().run_once()  # the next claim finds no attempt left
    [failed] = deliveries(webhooks, tenant, hook)
    assert (failed.status, failed.attempts) == ("failed", Policy.max_attempts + 1)
    assert failed.last_error == "an earlier attempt was interrupted; no attempts are left"
    assert receiver.requests == []


def test_erasure_deletes_the_deliveries_naming_the_person(
    store: GraphStore, webhooks: WebhookStore, tenant: str
) -> None:
    hook = subscribe(webhooks, tenant, "https://receiver.example/hook")
    org_id, ann = one_person(store, tenant, "Ann")
    bob = store.create_person(tenant, org_id, PersonCreate(name="Bob")).id
    store.update_person(tenant, org_id, ann, PersonUpdate(stance="champion"))
    assert {d["data"]["person"]["name"] for d in _payloads(webhooks, tenant, org_id, ann)} == {
        "Ann"
    }
    assert len(webhooks.deliveries_naming(tenant, org_id, ann)) == 2
    store.delete_person(tenant, org_id, ann)
    assert webhooks.deliveries_naming(tenant, org_id, ann) == []
    left = deliveries(webhooks, tenant, hook)
    assert [d.event for d in left] == ["person.joined"]
    assert _payloads(webhooks, tenant, org_id, bob)[0]["data"]["person"]["name"] == "Bob"
    store.delete_organisation(tenant, org_id)
    assert deliveries(webhooks, tenant, hook) == []


def _payloads(webhooks: WebhookStore, tenant: str, org_id: str, person_id: str) -> list[dict]:
    return [d.payload for d in webhooks.deliveries_naming(tenant, org_id, person_id)]


def test_deleting_a_webhook_deletes_its_log(
    store: GraphStore, webhooks: WebhookStore, tenant: str
) -> None:
    hook = subscribe(webhooks, tenant, "https://receiver.example/hook")
    one_person(store, tenant)
    assert len(deliveries(webhooks, tenant, hook)) == 1
    webhooks.delete_webhook(tenant, hook.id, expected_version=1)
    with pytest.raises(Exception, match="webhook not found"):
        deliveries(webhooks, tenant, hook)


def test_settled_deliveries_are_purged_after_the_retention(
    store: GraphStore,
    webhooks: WebhookStore,
    tenant: str,
    receiver: Receiver,
    make_worker: Make,
    clock: FakeClock,
) -> None:
    hook = subscribe(webhooks, tenant, receiver.url, [EventName.PERSON_JOINED])
    one_person(store, tenant)
    make_worker().run_once()
    [delivered] = deliveries(webhooks, tenant, hook)
    assert delivered.status == "delivered"
    webhooks.purge_deliveries(clock.now - 1.0)
    assert len(deliveries(webhooks, tenant, hook)) == 1  # not old enough
    webhooks.purge_deliveries(clock.now + 1.0)
    assert deliveries(webhooks, tenant, hook) == []


# --- where webhooks may go (no store) ----------------------------------------------------------


def _resolver(*addresses: str) -> Callable[[str, int], list[str]]:
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(
    ("url", "addresses", "reason"),
    [
        ("http://hooks.example.com/x", ["93.184.215.14"], "use an https URL"),
        ("ftp://hooks.example.com/x", ["93.184.215.14"], "use an https URL"),
        ("https://user:pw@hooks.example.com/x", ["93.184.215.14"], "user name or password"),
        ("https:///x", [], "the URL has no host"),
        ("https://hooks.example.com:99999/x", [], "the URL is not valid"),
        ("https://unknown.example/x", [], "could not be resolved"),
        ("https://127.0.0.1/x", [], "(loopback)"),
        ("https://[::1]/x", [], "(loopback)"),
        ("https://localhost/x", ["127.0.0.1"], "(loopback)"),
        ("https://intranet.example/x", ["10.0.0.7"], "(private)"),
        ("https://two.example/x", ["93.184.215.14", "192.168.1.1"], "(private)"),
        ("https://169.254.169.254/latest/meta-data", [], "(link-local)"),
        ("https://[::ffff:169.254.169.254]/x", [], "(link-local)"),
        ("https://0.0.0.0/x", [], "(unspecified)"),
        ("https://224.0.0.1/x", [], "(multicast)"),
        ("https://100.64.0.1/x", [], "(reserved)"),
    ],
)
def test_refused_destinations(url: str, addresses: list[str], reason: str) -> None:
    policy = DestinationPolicy(allow_loopback=False, resolve=_resolver(*addresses))
    with pytest.raises(DestinationRefused) as refused:
        policy.vet(url)
    assert reason in refused.value.reason


def test_public_destinations_connect_to_the_vetted_address() -> None:
    policy = DestinationPolicy(resolve=_resolver("93.184.215.14", "2606:2800:21f:cb07::1"))
    destination = policy.vet("https://Hooks.Example.com:8443/in?x=1")
    assert str(destination.connect_url) == "https://93.184.215.14:8443/in?x=1"
    assert destination.host_header == "hooks.example.com:8443"
    assert destination.extensions == {"sni_hostname": "hooks.example.com"}
    literal = DestinationPolicy().vet("https://[2606:2800:21f:cb07::1]/in")
    assert literal.extensions == {}
    assert literal.host_header == "[2606:2800:21f:cb07::1]"


def test_the_loopback_setting_opens_loopback_private_and_http_only() -> None:
    open_policy = DestinationPolicy(allow_loopback=True, resolve=_resolver("10.1.2.3"))
    open_policy.vet("http://127.0.0.1:8080/x")
    open_policy.vet("http://intranet.example/x")
    for still_refused in ("http://169.254.169.254/x", "http://224.0.0.1/x", "ftp://127.0.0.1/"):
        with pytest.raises(DestinationRefused):
            open_policy.vet(still_refused)


def test_the_lease_covers_a_whole_sweep() -> None:
    policy = DeliveryPolicy(timeout_seconds=10.0, sweep_size=50, concurrency=4)
    assert policy.lease_seconds == 13 * 4 * 10.0 + 30.0
