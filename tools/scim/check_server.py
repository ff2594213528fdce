"""Drives Roster's /scim/v2 with scim2-tester (PyPI), a SCIM checker no one here wrote:
discovery, then create / read / replace / patch / delete of every resource type the
server advertises, each checked against RFC 7643/7644. Then a few calls through
scim2-client of what an identity provider does first: find a user by userName, create,
deactivate by PATCH.

    python check_server.py BASE_URL TOKEN

Exit status 1 when any check is an error (a MUST of the RFC broken) or critical.
"""

import sys
import uuid

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import PatchOp, PatchOperation, SearchRequest, User, Email, Name
from scim2_tester import Status, check_server


def main() -> int:
    base, token = sys.argv[1], sys.argv[2]
    http = httpx2.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    client = SyncSCIMClient(http)
    client.discover()

    failed = 0
    for result in check_server(client):
        bad = result.status in (Status.ERROR, Status.CRITICAL)
        failed += bad
        where = f" [{result.resource_type}]" if result.resource_type else ""
        print(f"{result.status.name:<10} {result.title}{where}: {result.reason or ''}")
        if bad and result.data is not None:
            print(f"           data: {result.data}")

    # What a provider does first: look for the user, create them, deactivate them.
    address = f"scim2.client.{uuid.uuid4().hex[:8]}@example.com"
    by_name = SearchRequest(filter=f'userName eq "{address}"')
    found = client.query(User, query_parameters=by_name)
    assert found.total_results == 0, found
    created = client.create(
        User(
            user_name=address,
            name=Name(given_name="Scim", family_name="Client"),
            emails=[Email(value=address, primary=True, type="work")],
        )
    )
    assert created.id, created
    found = client.query(User, query_parameters=by_name)
    assert found.total_results == 1, found
    client.modify(
        User,
        created.id,
        PatchOp[User](operations=[PatchOperation(op="replace", path="active", value=False)]),
    )
    again = client.query(User, created.id)
    assert again.active is False, again
    print("scim2-client: find, create, deactivate by PATCH: ok")

    print(f"{failed} checks failed" if failed else "every check passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
