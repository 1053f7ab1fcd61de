"""Another XMPP client for interop tests: signs in with slixmpp and sends raw stanzas.

usage: raw_send.py JID PASSWORD PORT CA_FILE STANZA...
Each STANZA is sent as given (so tests can send what Hallway itself never would, such as
XEP-0308 corrections or forged ones). `{me}` in a stanza becomes this client's full JID.
Every iq that reaches this client is printed as `IQ <xml>` (answers to what was sent, and
requests), every message as `MSG <xml>`. With RAW_SEND_WAIT_IQS=N it waits (up to 15 s) until
N iqs from others than our server (answers, and the other party's requests) have come, with RAW_SEND_WAIT_MSGS=N until N messages have;
RAW_SEND_LINGER_MS keeps it signed in that much longer; RAW_SEND_PRESENCES=1 prints every
presence as `PRES <xml>`; RAW_SEND_GAP_MS is the pause between
stanzas (200 ms). Exits 0 once everything is sent and acknowledged.
"""

import asyncio
import os
import sys

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath


class Sender(slixmpp.ClientXMPP):
    def __init__(self, jid: str, password: str, port: int, ca: str, stanzas: list[str]):
        super().__init__(jid, password)
        self.port, self.stanzas = port, stanzas
        self.ca_certs = ca
        self.done = asyncio.get_event_loop().create_future()
        self.answers = 0
        self.messages = 0
        self.wanted = int(os.environ.get("RAW_SEND_WAIT_IQS", "0"))
        self.wanted_messages = int(os.environ.get("RAW_SEND_WAIT_MSGS", "0"))
        self.linger = int(os.environ.get("RAW_SEND_LINGER_MS", "0")) / 1000
        self.gap = int(os.environ.get("RAW_SEND_GAP_MS", "200")) / 1000
        self.register_handler(
            Callback("every iq", MatchXPath("{jabber:client}iq"), self.on_iq)
        )
        self.register_handler(
            Callback("every message", MatchXPath("{jabber:client}message"), self.on_message)
        )
        if os.environ.get("RAW_SEND_PRESENCES") == "1":
            self.register_handler(
                Callback("every presence", MatchXPath("{jabber:client}presence"), self.on_presence)
            )
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("failed_auth", lambda _: self.done.set_exception(RuntimeError("auth failed")))

    async def get_dns_records(self, domain, port=None):
        # slixmpp 1.8 ignores the port otherwise: the test server is on one loopback port.
        return [(domain, "127.0.0.1", self.port)]

    def on_iq(self, iq) -> None:
        print("IQ " + str(iq).replace("\n", " "), flush=True)
        # Answers to what we sent, and requests of the other party (not the server's own).
        if iq["from"].bare != self.boundjid.domain:
            self.answers += 1

    def on_presence(self, pres) -> None:
        print("PRES " + str(pres).replace("\n", " "), flush=True)

    def on_message(self, msg) -> None:
        print("MSG " + str(msg).replace("\n", " "), flush=True)
        self.messages += 1

    async def on_start(self, _event) -> None:
        self.send_presence()
        for s in self.stanzas:
            self.send_raw(s.replace("{me}", str(self.boundjid)))
            await asyncio.sleep(self.gap)
        # A ping round trip: the server has processed everything before we leave.
        await self.plugin["xep_0199"].send_ping(self.boundjid.domain, timeout=10)
        for _ in range(150):
            if self.answers >= self.wanted and self.messages >= self.wanted_messages:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(self.linger)
        self.done.set_result(True)


async def main() -> int:
    jid, password, port, ca, *stanzas = sys.argv[1:]
    xmpp = Sender(jid, password, int(port), ca, stanzas)
    xmpp.register_plugin("xep_0199")
    xmpp.connect()
    await asyncio.wait_for(xmpp.done, 60)
    xmpp.disconnect()
    await asyncio.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
