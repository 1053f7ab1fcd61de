"""Asks an XEP-0363 service for an upload slot with another client (slixmpp), for the file
benchmark's curl baseline. Prints the PUT URL, then one `Name: value` header per line.

usage: slot.py JID PASSWORD PORT CA_FILE SERVICE FILENAME SIZE
"""

import asyncio
import sys

import slixmpp
from slixmpp.xmlstream import ET

NS = "urn:xmpp:http:upload:0"


class Asker(slixmpp.ClientXMPP):
    def __init__(self, jid, password, port, ca, service, filename, size):
        super().__init__(jid, password)
        self.port, self.ca_certs = port, ca
        self.service, self.filename, self.size = service, filename, size
        self.done = asyncio.get_event_loop().create_future()
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("failed_auth", lambda _: self.done.set_exception(RuntimeError("auth failed")))

    async def get_dns_records(self, domain, port=None):
        return [(domain, "127.0.0.1", self.port)]

    async def on_start(self, _event):
        iq = self.make_iq_get(ito=self.service)
        req = ET.Element(f"{{{NS}}}request", filename=self.filename, size=str(self.size))
        iq.append(req)
        result = await iq.send(timeout=20)
        put = result.xml.find(f"{{{NS}}}slot/{{{NS}}}put")
        lines = [put.get("url")] + [f"{h.get('name')}: {h.text}" for h in put.findall(f"{{{NS}}}header")]
        self.done.set_result("\n".join(lines))


async def main():
    jid, password, port, ca, service, filename, size = sys.argv[1:]
    xmpp = Asker(jid, password, int(port), ca, service, filename, int(size))
    xmpp.connect()
    out = await asyncio.wait_for(xmpp.done, 30)
    print(out)
    xmpp.disconnect()
    await asyncio.sleep(0.3)


if __name__ == "__main__":
    asyncio.run(main())
