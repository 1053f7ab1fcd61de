"""Another XMPP client for interop tests: signs in with slixmpp and sends raw stanzas.

usage: raw_send.py JID PASSWORD PORT CA_FILE STANZA...
Each STANZA is sent as given (so tests can send what Hallway itself never would, such as
XEP-0308 corrections or forged ones). Exits 0 once everything is sent and acknowledged.
"""

import asyncio
import sys

import slixmpp


class Sender(slixmpp.ClientXMPP):
    def __init__(self, jid: str, password: str, port: int, ca: str, stanzas: list[str]):
        super().__init__(jid, password)
        self.port, self.stanzas = port, stanzas
        self.ca_certs = ca
        self.done = asyncio.get_event_loop().create_future()
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("failed_auth", lambda _: self.done.set_exception(RuntimeError("auth failed")))

    async def get_dns_records(self, domain, port=None):
        # slixmpp 1.8 ignores the port otherwise: the test server is on one loopback port.
        return [(domain, "127.0.0.1", self.port)]

    async def on_start(self, _event) -> None:
        self.send_presence()
        for s in self.stanzas:
            self.send_raw(s)
            await asyncio.sleep(0.2)
        # A ping round trip: the server has processed everything before we leave.
        await self.plugin["xep_0199"].send_ping(self.boundjid.domain, timeout=10)
        self.done.set_result(True)


async def main() -> int:
    jid, password, port, ca, *stanzas = sys.argv[1:]
    xmpp = Sender(jid, password, int(port), ca, stanzas)
    xmpp.register_plugin("xep_0199")
    xmpp.connect()
    await asyncio.wait_for(xmpp.done, 30)
    xmpp.disconnect()
    await asyncio.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
