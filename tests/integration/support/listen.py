"""A plain XMPP client for tests: signs in with slixmpp and prints every message body it gets,
live or stored offline, one JSON line each — without de-duplicating anything, like most clients.

usage: listen.py JID PASSWORD PORT CA_FILE
Prints `READY` once the server has handed over what it stored for us (after each sign-in; it
signs in again when the server goes away), `BODY "<text>"` per message. Runs until killed.
"""

import asyncio
import json
import sys

import slixmpp


class Listener(slixmpp.ClientXMPP):
    def __init__(self, jid: str, password: str, port: int, ca: str):
        super().__init__(jid, password)
        self.port = port
        self.ca_certs = ca
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("disconnected", self.on_disconnected)

    async def get_dns_records(self, domain, port=None):
        # slixmpp 1.8 ignores the port otherwise: the test server is on one loopback port.
        return [(domain, "127.0.0.1", self.port)]

    async def on_start(self, _event) -> None:
        self.send_presence()
        # Offline messages come right after our presence: a ping answered after them.
        try:
            await self.plugin["xep_0199"].send_ping(self.boundjid.domain, timeout=10)
        except Exception:  # noqa: BLE001 - the server may be going away again
            return
        print("READY", flush=True)

    def on_message(self, msg) -> None:
        body = msg["body"]
        if body:
            print("BODY " + json.dumps(body), flush=True)

    def on_disconnected(self, _event) -> None:
        # The server went away (a restart): come back as a real client would.
        asyncio.get_event_loop().call_later(0.5, self.connect)


async def main() -> int:
    jid, password, port, ca = sys.argv[1:]
    xmpp = Listener(jid, password, int(port), ca)
    xmpp.register_plugin("xep_0199")
    xmpp.connect()
    await asyncio.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
