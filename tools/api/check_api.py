"""Checks Roster's REST API and webhooks with programs no one here wrote.

1. The OpenAPI document validates (PyPI openapi-spec-validator, OpenAPI 3.1).
2. A client generated from it by openapi-python-client lists, invites, changes and
   deactivates members (and an Idempotency-Key makes a retried invite one member).
3. Webhooks, received by two receivers started here that check every signature with
   the Standard Webhooks reference library (PyPI standardwebhooks):
   - receiver A answers 500 twice for the first event, then 200: it gets that event
     three times with one webhook-id, and never again once acknowledged;
   - receiver B is down (nothing listens) when the events happen and comes up later: it
     gets every event, each once;
   - the events are delivered by two Roster instances on one database (the caller
     started both): no event reaches a receiver twice once acknowledged.

    python check_api.py BASE_URL API_KEY PORT_A SECRET_A PORT_B SECRET_B CLIENT_DIR

Exit status 1 on any failure.
"""

import json
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from openapi_spec_validator import validate
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    """An HTTP receiver that verifies each delivery and answers from a script."""

    def __init__(self, name, port, secret, fail_first=0):
        self.name, self.port = name, port
        self.verifier = Webhook(secret)
        self.tries = defaultdict(int)  # webhook-id -> tries seen
        self.acked = {}  # webhook-id -> event type, acknowledged (2xx)
        self.first_id = None
        self.fail_first = fail_first
        self.bad_signatures = 0
        self.lock = threading.Lock()
        self.server = None

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    event = receiver.verifier.verify(body, headers)
                except WebhookVerificationError:
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                msg_id = headers["webhook-id"]
                with receiver.lock:
                    receiver.tries[msg_id] += 1
                    if receiver.first_id is None:
                        receiver.first_id = msg_id
                    fail = msg_id == receiver.first_id and receiver.tries[msg_id] <= receiver.fail_first
                    if not fail:
                        receiver.acked[msg_id] = event["type"]
                self.send_response(500 if fail else 200)
                self.end_headers()
                self.wfile.write(b"try again" if fail else b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)
    print(f"ok      {message}")


def main() -> int:
    base, key, port_a, secret_a, port_b, secret_b, client_dir = sys.argv[1:8]

    # 1. The document validates.
    document = httpx.get(f"{base}/api/v1/openapi.json", timeout=30).json()
    validate(document)
    check(document["openapi"].startswith("3.1"), f"OpenAPI {document['openapi']} document validates")

    # 2. A client generated from it.
    with open(f"{client_dir}/openapi.json", "w") as f:
        json.dump(document, f)
    subprocess.run(
        ["openapi-python-client", "generate", "--path", f"{client_dir}/openapi.json",
         "--meta", "none", "--output-path", f"{client_dir}/roster_api_client", "--overwrite"],
        check=True, capture_output=True,
    )
    sys.path.insert(0, client_dir)
    from roster_api_client import AuthenticatedClient
    from roster_api_client.api.members import (
        deactivate_member, get_member, invite_member, list_members, update_member)
    from roster_api_client.models import Member, MemberUpdate, NewMember, Problem

    client = AuthenticatedClient(base_url=base, token=key, timeout=httpx.Timeout(30))
    receiver_a = Receiver("A", int(port_a), secret_a, fail_first=2)
    receiver_a.start()
    receiver_b = Receiver("B", int(port_b), secret_b)

    before = list_members.sync(client=client)
    check(isinstance(before, Member.__class__) or before.total >= 1, f"generated client lists members ({before.total})")
    address = f"api.check.{uuid.uuid4().hex[:8]}@example.com"
    idem = str(uuid.uuid4())
    new = NewMember(email=address, first_name="Api", last_name="Check", enable_seat=True)
    invited = invite_member.sync(client=client, body=new, idempotency_key=idem)
    check(isinstance(invited, Member) and invited.status.value == "invited", f"generated client invites {address}")
    again = invite_member.sync(client=client, body=new, idempotency_key=idem)
    check(isinstance(again, Member) and again.id == invited.id, "the same Idempotency-Key gives the same member")
    found = list_members.sync(client=client, q=address)
    check(found.total == 1 and found.members[0].id == invited.id, "the list finds the invited member once")
    changed = update_member.sync(invited.id, client=client, body=MemberUpdate(job_title="Solutions Engineer"))
    check(isinstance(changed, Member) and changed.job_title == "Solutions Engineer", "generated client changes the job title")
    refused = update_member.sync(invited.id, client=client, body=MemberUpdate(programs=["no-such-program"]))
    check(isinstance(refused, Problem) and refused.status == 422, f"a wrong program is a problem: {getattr(refused, 'detail', refused)}")
    gone = deactivate_member.sync(invited.id, client=client)
    check(isinstance(gone, Member) and gone.status.value == "deactivated", "generated client deactivates the member")
    read = get_member.sync(invited.id, client=client)
    check(read.status.value == "deactivated", "reading the member again says deactivated")

    # 3. More events, while receiver B is still down: 40 invitations. The first ten go one
    # at a time, each once receiver A has seen it: then both instances' workers are idle
    # when it happens, and the one that delivered the last has just started its pause, so
    # the other one (further into its own) usually takes it. Sent all at once, one
    # instance's claim of 50 could take them all and the other deliver nothing.
    def requests_seen():
        with receiver_a.lock:
            return sum(receiver_a.tries.values())

    for i in range(40):
        seen = requests_seen()
        extra = NewMember(email=f"hook.{i}.{uuid.uuid4().hex[:6]}@example.com", first_name="Hook", last_name=str(i))
        created = invite_member.sync(client=client, body=extra)
        check(isinstance(created, Member), f"invite {i}") if i == 39 else None
        waited = time.time() + 5
        while i < 10 and requests_seen() == seen and time.time() < waited:
            time.sleep(0.05)
    time.sleep(8)
    receiver_b.start()
    print(f"receiver B up after 8 s; waiting for the retries")
    expected = 42  # invited + deactivated of the first member, and 40 invitations
    deadline = time.time() + 120
    while time.time() < deadline:
        with receiver_a.lock, receiver_b.lock:
            if len(receiver_a.acked) >= expected and len(receiver_b.acked) >= expected:
                break
        time.sleep(1)
    time.sleep(3)  # Anything sent twice would arrive now.
    for receiver in (receiver_a, receiver_b):
        check(receiver.bad_signatures == 0, f"receiver {receiver.name}: every signature verified")
        check(len(receiver.acked) == expected, f"receiver {receiver.name}: {len(receiver.acked)} of {expected} events acknowledged")
    first = receiver_a.first_id
    check(receiver_a.tries[first] == 3, f"receiver A: the first event tried 3 times (500, 500, 200): {receiver_a.tries[first]}")
    twice_a = [i for i, n in receiver_a.tries.items() if i != first and n != 1]
    twice_b = [i for i, n in receiver_b.tries.items() if n != 1]
    check(not twice_a, f"receiver A: every other event once ({twice_a})")
    check(not twice_b, f"receiver B: every event once, after being down ({twice_b})")
    types = sorted(set(receiver_b.acked.values()))
    check(types == ["member.deactivated", "member.invited"], f"event types {types}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
