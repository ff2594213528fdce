"""A real SMTP server (aiosmtpd) that misbehaves on purpose, for Roster's mail tests.

Usage: python3 fault_server.py PORT LOG [DELAY_MS]

Every message it accepts is appended to LOG as one JSON line {"to": [...], "subject": ...}.
The recipient's address decides how it is treated:
  refuse...@  550: refused for good
  busy...@    451 the first two times, then accepted
  slow...@    the first time, no answer for 5 s (longer than the client waits)
  drop...@    the first time, the connection is closed mid-conversation
anything else is accepted, after DELAY_MS milliseconds (a slow server).
"""

import asyncio
import json
import sys
import threading
from email import message_from_bytes

from aiosmtpd.controller import Controller

PORT, LOG = int(sys.argv[1]), sys.argv[2]
DELAY = int(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.0
seen = {}


class Faulty:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        tries = seen[address] = seen.get(address, 0) + 1
        if local.startswith("refuse"):
            return "550 5.1.1 <%s>: no such mailbox here" % address
        if local.startswith("busy") and tries <= 2:
            return "451 4.3.0 busy, try again later"
        if local.startswith("slow") and tries == 1:
            await asyncio.sleep(5)
        if local.startswith("drop") and tries == 1:
            server.transport.close()
            return "421 4.4.2 closing"
        if DELAY:
            await asyncio.sleep(DELAY)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps({"to": envelope.rcpt_tos, "subject": message["Subject"]}) + "\n")
        return "250 OK: queued"


controller = Controller(Faulty(), hostname="127.0.0.1", port=PORT)
controller.start()
print("ready", flush=True)
threading.Event().wait()
