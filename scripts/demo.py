#!/usr/bin/env python3
"""scripts/demo.py — the demo office behind `make demo`.

Owns: a throwaway Prosody 0.12 on loopback (temp dir, test CA, free port, rosters from mod_groups),
a handful of scripted colleagues (slixmpp bots with live presence; Hank answers every message),
and launching Hallway signed in as me@localhost. Ctrl+C, SIGTERM or closing the app window stops
everything it started and removes the temp dir (unless --keep).

Needs Debian's prosody, openssl and python3-slixmpp (1.8.x): `make deps` installs them.
"""
import argparse
import asyncio
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

logging.basicConfig(level=logging.WARNING, format="[slixmpp] %(levelname)s %(message)s")
logging.getLogger("slixmpp.stringprep").setLevel(logging.ERROR)
try:
    import slixmpp
except ImportError:
    # python3-slixmpp lives in Debian's python; a pyenv/venv python3 on PATH cannot see it.
    if Path("/usr/bin/python3").exists() and Path(sys.executable).resolve() != Path("/usr/bin/python3").resolve():
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    sys.exit("demo: python3-slixmpp is missing; run `make deps` (scripts/install-deps.sh)")

REPO = Path(__file__).resolve().parent.parent
DOMAIN = "localhost"
ME, MY_NAME, MY_PASSWORD = "me", "Me", "hallway-demo"


@dataclass
class Person:
    user: str
    name: str
    group: str | None  # None: not a colleague (a stranger outside the shared groups)
    show: str | None  # None: never connects (offline)
    status: str = ""
    title: str = ""
    colour: tuple[int, int, int] = (0x5b, 0x6b, 0x7b)

    @property
    def jid(self) -> str:
        return f"{self.user}@{DOMAIN}"


COLLEAGUES = [
    Person("dana", "Dana Director", "Management", "dnd", "Do not disturb – board prep",
           "Managing director", (0x8e, 0x3b, 0x9a)),
    Person("bob", "Bob Baker", "Sales", "away", "In a meeting until 3", "Sales lead", (0x2a, 0x6f, 0xdb)),
    Person("carol", "Carol Chen", "Sales", "available", "Working on the Q3 report",
           "Account manager", (0x1f, 0x9d, 0x73)),
    Person("erin", "Erin Evans", "Sales", "xa", "On holiday until Monday"),
    Person("frank", "Frank Fischer", "Engineering", "available", "", "Backend engineer", (0xd9, 0x7b, 0x1c)),
    Person("grace", "Grace Gomez", "Engineering", None),
    Person("hank", "Hank Hill", "Engineering", "available", "I'm the office bot — say hi!", "Office bot",
           (0x55, 0x55, 0x55)),
    # Outside the office's shared groups: Ivan asks to see my status, Vera just writes.
    Person("ivan", "Ivan Ivanov", None, "available", "New in Facilities"),
    Person("vera", "Vera Vendor", None, "available", "Printer supplies"),
]
# What the strangers do once signed in.
SUBSCRIBER, WRITER = "ivan", "vera"
# Team rooms (XEP-0045) on rooms.localhost: address, name, who sits in them (Hank creates them).
MUC = f"rooms.{DOMAIN}"
ROOMS = [
    ("office", "The office", ["hank", "carol", "frank", "dana"]),
    ("sales", "Sales team", ["hank", "bob", "carol"]),
]
MUC_NS = "http://jabber.org/protocol/muc"


def solid_png(size: int, rgb: tuple[int, int, int]) -> bytes:
    """A one-colour PNG (avatars for the demo colleagues)."""
    import struct
    import zlib

    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
BOT = "hank"
# Every --status-interval seconds the next entry happens; the list ends where it started.
STATUS_ROTATION = [
    ("carol", "available", "Q3 report sent — coffee anyone?"),
    ("bob", "available", "Back at my desk"),
    ("frank", "away", "Lunch, back in 30"),
    ("dana", "dnd", "Board meeting 14:00–16:00"),
    ("carol", "available", "Working on the Q3 report"),
    ("bob", "away", "In a meeting until 3"),
    ("frank", "available", ""),
    ("dana", "dnd", "Do not disturb – board prep"),
]


def say(msg: str) -> None:
    print(f"[demo] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid: int) -> bool:
    try:  # a zombie (daemon reparented to a PID 1 that does not reap) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


class Server:
    """The throwaway Prosody: certificates, config, users, start and stop (see docs/prosody.md)."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.https_port = free_port()
        self.proxy_port = free_port()
        self.cfg = root / "prosody.cfg.lua"
        self.pidfile = root / "prosody.pid"
        self.log = root / "prosody.log"
        self.ca = root / "ca" / "ca.pem"
        self.pid: int | None = None
        self.launched = False

    def run(self, *cmd: str) -> None:
        res = subprocess.run(cmd, cwd=self.root, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:3])} … failed:\n{res.stdout}{res.stderr}")

    def make_certificates(self) -> None:
        ca_dir, cert_dir = self.root / "ca", self.root / "certificates"
        ca_dir.mkdir()
        cert_dir.mkdir()
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        self.run("openssl", "req", "-x509", *ec, "-keyout", str(ca_dir / "ca.key"), "-out", str(self.ca),
                 "-days", "7", "-subj", "/CN=Hallway Demo CA",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        ext = ca_dir / "leaf.ext"
        ext.write_text("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                       "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
                       "subjectAltName=DNS:localhost,DNS:conference.localhost,DNS:upload.localhost,IP:127.0.0.1\n")
        self.run("openssl", "req", "-new", *ec, "-keyout", str(cert_dir / "localhost.key"),
                 "-out", str(ca_dir / "localhost.csr"), "-subj", "/CN=localhost")
        self.run("openssl", "x509", "-req", "-in", str(ca_dir / "localhost.csr"), "-CA", str(self.ca),
                 "-CAkey", str(ca_dir / "ca.key"), "-CAcreateserial", "-days", "7",
                 "-out", str(cert_dir / "localhost.crt"), "-extfile", str(ext))

    def write_config(self) -> None:
        lines = []
        for group in dict.fromkeys(p.group for p in COLLEAGUES if p.group):  # every group: me + its members
            lines += [f"[{group}]", f"{ME}@{DOMAIN}={MY_NAME}"]
            lines += [f"{p.jid}={p.name}" for p in COLLEAGUES if p.group == group]
        (self.root / "groups.txt").write_text("\n".join(lines) + "\n")
        (self.root / "data").mkdir()
        r = self.root
        self.cfg.write_text(f"""-- Generated by scripts/demo.py: a throwaway demo server on loopback.
run_as_root = true
pidfile = "{self.pidfile}"
data_path = "{r / 'data'}"
log = {{ {{ levels = {{ min = "info" }}, to = "file", filename = "{self.log}" }} }}
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {self.port} }}
c2s_direct_tls_ports = {{ }}
s2s_ports = {{ }}
http_ports = {{ }}
https_ports = {{ {self.https_port} }}
proxy65_ports = {{ {self.proxy_port} }}
https_certificate = "{r / 'certificates/localhost.crt'}"
https_key = "{r / 'certificates/localhost.key'}"
modules_disabled = {{ "s2s" }}
modules_enabled = {{
  "roster", "saslauth", "tls", "disco", "carbons", "pep", "private", "blocklist", "vcard4",
  "vcard_legacy", "mam", "smacks", "csi_simple", "ping", "time", "version", "posix", "groups",
  "lastactivity"
}}
groups_file = "{r / 'groups.txt'}"
certificates = "{r / 'certificates'}"
c2s_require_encryption = true
authentication = "internal_hashed"
storage = "internal"
default_archive_policy = true
max_archive_query_results = 250

VirtualHost "{DOMAIN}"
  ssl = {{ certificate = "{r / 'certificates/localhost.crt'}", key = "{r / 'certificates/localhost.key'}" }}

-- File sharing (XEP-0363): the 10 MiB limit Prosody suggests; files live in data/.
Component "upload.{DOMAIN}" "http_file_share"
  http_host = "{DOMAIN}"
  http_file_share_size_limit = 10*1024*1024
  http_file_share_daily_quota = 500*1024*1024

-- Relay (XEP-0065) for files sent directly between devices that cannot reach each other.
Component "proxy.{DOMAIN}" "proxy65"
  proxy65_address = "127.0.0.1"

-- Team rooms (XEP-0045) with their archives (XEP-0313).
Component "{MUC}" "muc"
  modules_enabled = {{ "muc_mam" }}
  restrict_room_creation = "local"
""")

    def register(self, user: str, password: str) -> None:
        self.run("prosodyctl", "--config", str(self.cfg), "register", user, DOMAIN, password)

    def start(self) -> None:
        self.launched = True
        with open(self.root / "prosody.stderr", "w") as err:
            subprocess.run(["prosody", "--config", str(self.cfg), "-D"], cwd=self.root,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.pid is None and self.pidfile.exists() and self.pidfile.read_text().strip():
                self.pid = int(self.pidfile.read_text())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                if self.pid is not None:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        tail = self.log.read_text()[-2000:] if self.log.exists() else "(no log)"
        raise RuntimeError(f"Prosody did not come up on port {self.port}:\n{tail}")

    def stop(self) -> None:
        deadline = time.monotonic() + 2  # interrupted right after the fork: the pidfile is on its way
        while self.launched and self.pid is None and time.monotonic() < deadline:
            if self.pidfile.exists() and self.pidfile.read_text().strip():
                self.pid = int(self.pidfile.read_text())
            else:
                time.sleep(0.05)
        if self.pid is None or not alive(self.pid):
            return
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 2
        while alive(self.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive(self.pid):
            say("Prosody did not stop within 2 s; killing it")
            os.kill(self.pid, signal.SIGKILL)
        say(f"Prosody (pid {self.pid}) stopped")


class Colleague(slixmpp.ClientXMPP):
    """One scripted colleague: signs in over STARTTLS, shows a presence; Hank also answers chats."""

    def __init__(self, person: Person, password: str, port: int, ca: Path):
        super().__init__(person.jid, password)
        self.person, self.port = person, port
        self.ca_certs = ca  # trust the demo CA only
        self.ready = asyncio.get_running_loop().create_future()
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0184")  # auto-acks receipt requests (XEP-0184)
        self.register_plugin("xep_0199")
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("failed_auth", lambda _: self.fail("authentication failed"))
        if person.user == BOT:
            self.add_event_handler("message", self.on_message)

    async def get_dns_records(self, domain, port=None):
        # slixmpp 1.8 would resolve the JID's domain and use port 5222; the office is on one loopback port.
        return [(domain, "127.0.0.1", self.port)]

    def fail(self, why: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(RuntimeError(f"{self.person.jid}: {why}"))

    async def on_session_start(self, _event) -> None:
        await self.get_roster()
        self.show(self.person.show, self.person.status)
        try:
            await self.publish_card()
        except Exception as e:  # noqa: BLE001 - a missing card must not stop the demo
            say(f"{self.person.name}: business card not published ({e})")
        if not self.ready.done():
            self.ready.set_result(True)

    async def publish_card(self) -> None:
        """vcard-temp with a photo; Prosody's mod_vcard_legacy turns it into a XEP-0292 vCard4 and a
        XEP-0084 avatar, which is what Hallway reads."""
        import base64
        from xml.sax.saxutils import escape

        p = self.person
        if not p.title:
            return
        photo = base64.b64encode(solid_png(64, p.colour)).decode()
        xml = (
            f"<vCard xmlns='vcard-temp'><FN>{escape(p.name)}</FN><TITLE>{escape(p.title)}</TITLE>"
            f"<ORG><ORGNAME>Hallway Demo Ltd</ORGNAME><ORGUNIT>{escape(p.group or '')}</ORGUNIT></ORG>"
            f"<EMAIL><INTERNET/><USERID>{p.user}@example.com</USERID></EMAIL>"
            f"<TEL><WORK/><VOICE/><NUMBER>+44 20 7946 {abs(hash(p.user)) % 10000:04d}</NUMBER></TEL>"
            f"<PHOTO><TYPE>image/png</TYPE><BINVAL>{photo}</BINVAL></PHOTO></vCard>"
        )
        iq = self.make_iq_set()
        iq.append(ET.fromstring(xml))
        await iq.send(timeout=10)

    def act_as_stranger(self) -> None:
        me = f"{ME}@{DOMAIN}"
        if self.person.user == SUBSCRIBER:
            say(f"{self.person.name} asks to see your status")
            self.send_presence(pto=me, ptype="subscribe")
        elif self.person.user == WRITER:
            self.send_message(mto=me, mtype="chat",
                              mbody="Hello! Vera from Office Supplies here — is your toner order still open?")

    def show(self, show: str | None, status: str) -> None:
        self.person.show, self.person.status = show, status
        self.send_presence(pshow=None if show == "available" else show, pstatus=status or None)

    def join_room(self, room: str) -> None:
        """Enters room@rooms.localhost under the first name, asking no history (XEP-0045 §7.2)."""
        p = self.make_presence(pto=f"{room}@{MUC}/{self.person.name.split()[0]}")
        x = ET.Element(f"{{{MUC_NS}}}x")
        ET.SubElement(x, f"{{{MUC_NS}}}history", maxstanzas="0")
        p.append(x)
        p.send()

    async def configure_room(self, room: str, name: str) -> None:
        """The creator names the room and makes it persistent (XEP-0045 §10.2), unlocking it."""
        fields = [("FORM_TYPE", "http://jabber.org/protocol/muc#roomconfig"),
                  ("muc#roomconfig_roomname", name), ("muc#roomconfig_persistentroom", "1"),
                  ("muc#roomconfig_publicroom", "1")]
        form = "".join(f"<field var='{v}'><value>{val}</value></field>" for v, val in fields)
        iq = self.make_iq_set(ito=f"{room}@{MUC}")
        iq.append(ET.fromstring(f"<query xmlns='{MUC_NS}#owner'><x xmlns='jabber:x:data' type='submit'>{form}</x></query>"))
        await iq.send(timeout=10)

    def on_groupchat(self, msg) -> None:
        """Hank answers in the room when someone names him (not to history the room replays)."""
        nick = msg["from"].resource
        if not msg["body"] or nick == self.person.name.split()[0] or msg.xml.find("{urn:xmpp:delay}delay") is not None:
            return
        if "hank" in msg["body"].lower():
            text = f"@{nick} Hank here — noted: “{msg['body'][:80]}”. Anything else?"
            say(f"{self.person.name} was mentioned in {msg['from'].bare}; answering")
            asyncio.get_running_loop().call_later(
                1.0, lambda: self.send_message(mto=msg["from"].bare, mbody=text, mtype="groupchat"))

    def on_message(self, msg) -> None:
        if msg["type"] == "groupchat":
            return self.on_groupchat(msg)
        if msg["type"] in ("chat", "normal") and msg["body"]:
            file_url = msg.xml.find("{jabber:x:oob}x/{jabber:x:oob}url")
            text = msg["body"]
            if file_url is not None and file_url.text:
                name = unquote(file_url.text.rsplit("/", 1)[-1])
                text = f"Got your file “{name}”, thanks! I'll have a look."
                asyncio.get_running_loop().call_later(1.0, self.reply, msg["from"], text)
                return
            asyncio.get_running_loop().call_later(1.0, self.answer, msg["from"], text)

    def reply(self, to, text: str) -> None:
        self.send_message(mto=to, mbody=text, mtype="chat")

    def answer(self, to, text: str) -> None:
        say(f"{self.person.name} got “{text[:60]}” from {to.bare}; answering")
        self.send_message(mto=to, mbody=f'You said: "{text}" — anything else?', mtype="chat")


async def run_office(args, server: Server, passwords: dict[str, str], tmp: Path) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    bots = {p.user: Colleague(p, passwords[p.user], server.port, server.ca) for p in COLLEAGUES if p.show}
    app = rotation = None
    try:
        for bot in bots.values():
            bot.connect(address=("127.0.0.1", server.port))
        ready = asyncio.gather(*(b.ready for b in bots.values()))
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({ready, stopped}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        if stopped in done:
            ready.cancel()
            say("stopping")
            return 0
        stopped.cancel()
        if ready not in done:
            raise RuntimeError(f"colleagues did not sign in within 20 s; see {server.log}")
        ready.result()  # raises if a colleague could not sign in
        await open_rooms(bots)
        await bookmark_rooms(server, tmp)
        env = {
            "HALLWAY_DATA_DIR": str(tmp / "hallway-data"),
            "SSL_CERT_FILE": str(server.ca),
            "HALLWAY_SIGN_IN_ADDRESS": f"{ME}@{DOMAIN}",
            "HALLWAY_SIGN_IN_PASSWORD": MY_PASSWORD,
            "HALLWAY_SIGN_IN_SERVER": f"127.0.0.1:{server.port}",
        }
        print_summary(server, env, tmp, args)
        rotation = asyncio.create_task(rotate_statuses(bots, args.status_interval))
        # Once the app is up: a subscription request and a message from outside the office.
        for user in (SUBSCRIBER, WRITER):
            if user in bots:
                loop.call_later(8.0, bots[user].act_as_stranger)
        waits = [asyncio.create_task(stop.wait())]
        if not args.no_app:
            app = await asyncio.create_subprocess_exec(args.app, env={**os.environ, **env}, start_new_session=True)
            waits.append(asyncio.create_task(app.wait()))
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if app is not None and app.returncode is not None:
            say(f"Hallway exited (code {app.returncode}); closing the office")
        else:
            say("stopping")
        return 0
    finally:
        if rotation:
            rotation.cancel()
        if app is not None:
            await stop_app(app)
        closing = [b.disconnect(wait=1.0) for b in bots.values()]
        await asyncio.wait(closing, timeout=3)


async def open_rooms(bots: dict[str, Colleague]) -> None:
    """Hank creates and names the rooms; the others sit in them."""
    creator = bots.get(BOT)
    if creator is None:
        return
    for room, name, _ in ROOMS:
        creator.join_room(room)
    await asyncio.sleep(1.0)
    for room, name, _ in ROOMS:
        try:
            await creator.configure_room(room, name)
        except Exception as e:  # noqa: BLE001 - a room left as it is still works
            say(f"room {room} not configured ({e})")
    for room, _, people in ROOMS:
        for user in people:
            if user != BOT and user in bots:
                bots[user].join_room(room)


async def bookmark_rooms(server: Server, tmp: Path) -> None:
    """The demo user's bookmarks (XEP-0402) hold both rooms with autojoin: Hallway joins them."""
    me = slixmpp.ClientXMPP(f"{ME}@{DOMAIN}/setup", MY_PASSWORD)
    me.ca_certs = server.ca
    me.get_dns_records = lambda domain, port=None: asyncio.sleep(0, [(domain, "127.0.0.1", server.port)])
    done = asyncio.get_running_loop().create_future()

    async def publish(_event) -> None:
        try:
            for room, name, _ in ROOMS:
                iq = me.make_iq_set()
                iq.append(ET.fromstring(
                    "<pubsub xmlns='http://jabber.org/protocol/pubsub'>"
                    "<publish node='urn:xmpp:bookmarks:1'>"
                    f"<item id='{room}@{MUC}'><conference xmlns='urn:xmpp:bookmarks:1' name='{name}' "
                    f"autojoin='true'><nick>{MY_NAME}</nick></conference></item></publish>"
                    "<publish-options><x xmlns='jabber:x:data' type='submit'>"
                    "<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#publish-options</value></field>"
                    "<field var='pubsub#persist_items'><value>true</value></field>"
                    "<field var='pubsub#access_model'><value>whitelist</value></field>"
                    "<field var='pubsub#max_items'><value>max</value></field>"
                    "</x></publish-options></pubsub>"))
                await iq.send(timeout=10)
            done.set_result(True)
        except Exception as e:  # noqa: BLE001
            done.set_exception(e)

    me.add_event_handler("session_start", publish)
    me.add_event_handler("failed_auth", lambda _: done.done() or done.set_exception(RuntimeError("auth")))
    me.connect(address=("127.0.0.1", server.port))
    try:
        await asyncio.wait_for(done, timeout=15)
        say("both rooms are in your bookmarks (autojoin)")
    except Exception as e:  # noqa: BLE001 - the demo goes on without them
        say(f"rooms not bookmarked ({e})")
    await me.disconnect(wait=1.0)


async def stop_app(app) -> None:
    """Stop the app's whole process group (the app and its WebKit helpers), even if the app has exited."""
    for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 2)):
        try:
            os.killpg(app.pid, sig)
        except ProcessLookupError:
            return
        try:
            await asyncio.wait_for(app.wait(), timeout=grace)
        except asyncio.TimeoutError:
            continue
        await asyncio.sleep(0.2)
        try:
            os.killpg(app.pid, 0)  # helpers still around?
        except ProcessLookupError:
            return


async def rotate_statuses(bots: dict[str, Colleague], interval: float) -> None:
    i = 0
    while True:
        await asyncio.sleep(interval)
        user, show, status = STATUS_ROTATION[i % len(STATUS_ROTATION)]
        i += 1
        if user in bots:
            bots[user].show(show, status)
            say(f"{bots[user].person.name} is now {show}{f' “{status}”' if status else ''}")


def print_summary(server: Server, env: dict[str, str], tmp: Path, args) -> None:
    print(f"""
  Hallway demo office is open
  ---------------------------
  Server     {DOMAIN} (Prosody) at 127.0.0.1:{server.port}, STARTTLS required, loopback only
  Test CA    {server.ca}
  Sign in    {ME}@{DOMAIN}  password: {MY_PASSWORD}  server: 127.0.0.1:{server.port}
  Temp dir   {tmp}{'  (kept on exit)' if args.keep else '  (removed on exit)'}
  Colleagues (rosters come from mod_groups; {ME}@{DOMAIN} is in every group):""")
    for p in COLLEAGUES:
        state = f"{p.show}{f' “{p.status}”' if p.status else ''}" if p.show else "offline"
        bot = "  ← answers every message (and mentions in rooms)" if p.user == BOT else ""
        print(f"    {'[' + (p.group or 'outside') + ']':<14} {p.name:<14} {p.jid:<16} {state}{bot}")
    print("  Rooms (bookmarked for you, joined by themselves):")
    for room, name, people in ROOMS:
        print(f"    {name:<14} {room}@{MUC:<18} with {', '.join(people)}")
    if args.no_app:
        print("\n  --no-app: start Hallway yourself with this environment:")
        for k, v in env.items():
            print(f"    {k}={v}")
    else:
        print(f"\n  Starting {args.app}")
    print("  Ctrl+C stops the office.\n", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description="Start a local demo office and open Hallway signed in to it.")
    ap.add_argument("--app", default=str(REPO / "target/release/hallway"), help="Hallway binary to start")
    ap.add_argument("--no-app", action="store_true", help="only run the office; print the connection details")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (server log, data) on exit")
    ap.add_argument("--status-interval", type=float, default=40, help="seconds between status changes")
    args = ap.parse_args()
    if not args.no_app and not os.access(args.app, os.X_OK):
        sys.exit(f"demo: {args.app} not found; run `make build` first, or use --app PATH / --no-app")
    for tool in ("prosody", "prosodyctl", "openssl"):
        if not shutil.which(tool):
            sys.exit(f"demo: {tool} not found; run `make deps` (scripts/install-deps.sh)")

    def interrupted(*_):
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM):  # until the event loop takes over
        signal.signal(sig, interrupted)
    tmp = Path(tempfile.mkdtemp(prefix="hallway-demo-"))
    server = Server(tmp)
    code = 1
    try:
        say(f"setting up Prosody in {tmp}")
        server.make_certificates()
        server.write_config()
        passwords = {p.user: secrets.token_urlsafe(12) for p in COLLEAGUES}
        for user, password in [(ME, MY_PASSWORD), *passwords.items()]:
            server.register(user, password)
        server.start()
        say(f"Prosody is up on 127.0.0.1:{server.port} (pid {server.pid}); colleagues are signing in")
        code = asyncio.run(run_office(args, server, passwords, tmp))
    except KeyboardInterrupt:
        say("interrupted")
        code = 130
    except Exception as e:  # noqa: BLE001 - report any setup failure plainly, then clean up
        say(f"error: {e}")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not skip the clean-up
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.stop()
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            say(f"removed {tmp}")
    return code


if __name__ == "__main__":
    sys.exit(main())
