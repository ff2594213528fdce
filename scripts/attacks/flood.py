#!/usr/bin/env python3
"""A sign-in flood from one address while a person signs in from another (issue 19, item 1).

    scripts/attacks/flood.py http://127.0.0.1:3000 [FLOOD] [EMAIL PASSWORD]

Sends FLOOD (default 1,400) wrong-password sign-ins at once from 127.0.0.2, and meanwhile,
every half second, one right sign-in from 127.0.0.3; prints how the flood was answered and
how long each real sign-in took. Loopback only: run it against a server on this machine."""
import concurrent.futures, http.client, json, re, sys, time, urllib.parse

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:3000"
flood = int(sys.argv[2]) if len(sys.argv) > 2 else 1400
email = sys.argv[3] if len(sys.argv) > 3 else "admin@northwind.example"
password = sys.argv[4] if len(sys.argv) > 4 else "northwind-demo"
url = urllib.parse.urlsplit(base)
assert url.hostname in ("127.0.0.1", "localhost"), "loopback only"


def request(source, method, path, body=None):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120, source_address=(source, 0))
    headers = {"Accept": "application/json", "Sec-Fetch-Site": "same-origin",
               "Content-Type": "application/x-www-form-urlencoded"}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


status, page = request("127.0.0.1", "GET", "/sign-in")
action = re.search(rb'action="(/api/sign_in[^"]*)"', page).group(1).decode()


def sign_in(source, who, secret):
    body = urllib.parse.urlencode({"email": who, "password": secret, "next": ""})
    started = time.monotonic()
    status, _ = request(source, "POST", action, body)
    return status, time.monotonic() - started


with concurrent.futures.ThreadPoolExecutor(max_workers=400) as pool:
    attack = [pool.submit(sign_in, "127.0.0.2", f"victim{i % 50}@northwind.example", "wrong") for i in range(flood)]
    real = []
    while not all(f.done() for f in attack) and len(real) < 20:
        real.append(sign_in("127.0.0.3", email, password))
        time.sleep(0.5)
    statuses = {}
    for f in attack:
        s, _ = f.result()
        statuses[s] = statuses.get(s, 0) + 1
print(json.dumps({"flood": flood, "flood_statuses": statuses,
                  "real_sign_ins": [{"status": s, "seconds": round(t, 3)} for s, t in real],
                  "real_worst_seconds": round(max(t for _, t in real), 3)}, indent=1))
