"""A real DNS server and a real RDAP registry on loopback, for the domain watch tests.

LoopbackDNS speaks the DNS wire protocol over UDP and TCP on one free port (dnspython's
message parser and renderer, our own answers): authoritative answers for the names it
holds, NXDOMAIN for the rest, and silence for names marked `silent` (a resolver then
times out). LoopbackRDAP is an HTTP server answering RFC 9082 domain queries with RFC
9083 JSON like SIDN's and Verisign's servers do, 404 with an RDAP error object for
unknown names, and a slow answer for names marked `slow` (a registry that times out).
"""
from __future__ import annotations

import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


class LoopbackDNS:
    def __init__(self):
        self.records: dict[str, dict[str, list[str]]] = {}
        self.silent: set[str] = set()
        self.queries: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self.udp = self.tcp = None
        self.port = 0

    # --- data ------------------------------------------------------------------------
    def reset(self) -> None:
        self.records.clear()
        self.silent.clear()
        self.queries.clear()

    def set(self, name: str, rdtype: str, *rdatas: str) -> None:
        self.records.setdefault(name.lower(), {})[rdtype] = list(rdatas)

    def zone(self, name: str, *, ns=("ns1.transip.nl", "ns2.transip.eu"), mx=((10, "mx.voorbeeld.nl"),),
             a=("192.0.2.10",), serial=2026010101) -> None:
        """A registered domain: SOA, NS, MX and an address, like a hoster serves it."""
        name = name.lower()
        self.records[name] = {}
        self.set(name, "SOA", f"{ns[0]}. hostmaster.{name}. {serial} 3600 600 1209600 300" if ns else
                 f"ns.invalid. hostmaster.{name}. {serial} 3600 600 1209600 300")
        if ns:
            self.set(name, "NS", *[f"{h}." for h in ns])
        if mx:
            self.set(name, "MX", *[f"{p} {h}." if h != "." else f"{p} ." for p, h in mx])
        if a:
            self.set(name, "A", *a)

    def host(self, name: str, address: str = "127.0.0.1") -> None:
        self.records.setdefault(name.lower(), {})["A"] = [address]

    def remove(self, name: str) -> None:
        self.records.pop(name.lower(), None)

    # --- protocol --------------------------------------------------------------------
    def answer(self, wire: bytes) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except Exception:  # noqa: BLE001  (garbage on the socket: ignore it)
            return None
        if not query.question:
            return None
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, rdtype))
        if name in self.silent:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if name not in self.records:
            response.set_rcode(dns.rcode.NXDOMAIN)
        else:
            data = self.records[name].get(rdtype)
            if data:
                response.answer.append(dns.rrset.from_text_list(question.name, 300, "IN", rdtype, data))
        return response.to_wire()

    # --- sockets ---------------------------------------------------------------------
    def start(self) -> "LoopbackDNS":
        for _ in range(50):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind(("127.0.0.1", port))
            except OSError:
                udp.close()
                tcp.close()
                continue
            tcp.listen(16)
            self.udp, self.tcp, self.port = udp, tcp, port
            break
        else:
            raise RuntimeError("no free port for UDP and TCP")
        self.udp.settimeout(0.2)
        self.tcp.settimeout(0.2)
        threading.Thread(target=self._serve_udp, daemon=True).start()
        threading.Thread(target=self._serve_tcp, daemon=True).start()
        return self

    def _serve_udp(self):
        while not self._stop.is_set():
            try:
                wire, peer = self.udp.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            reply = self.answer(wire)
            if reply is not None:
                self.udp.sendto(reply, peer)

    def _serve_tcp(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._tcp_conn, args=(conn,), daemon=True).start()

    def _tcp_conn(self, conn):
        with conn:
            conn.settimeout(2)
            try:
                size = struct.unpack("!H", _recv_exact(conn, 2))[0]
                reply = self.answer(_recv_exact(conn, size))
                if reply is not None:
                    conn.sendall(struct.pack("!H", len(reply)) + reply)
                else:
                    time.sleep(2)
            except (OSError, struct.error):
                return

    def stop(self):
        self._stop.set()
        for sock in (self.udp, self.tcp):
            if sock is not None:
                sock.close()


def _recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


# --- RDAP ----------------------------------------------------------------------------

def rdap_domain(name: str, *, registrar="TransIP B.V.", iana="1232", registered="2009-03-02T10:00:00Z",
                expires=None, changed="2025-11-01T08:30:00Z", status=("active",), nameservers=(),
                registrant=None) -> dict:
    """An RFC 9083 domain object as a registry returns it."""
    events = [{"eventAction": "registration", "eventDate": registered},
              {"eventAction": "last changed", "eventDate": changed},
              {"eventAction": "last update of RDAP database", "eventDate": "2026-01-01T00:00:00Z"}]
    if expires:
        events.append({"eventAction": "expiration", "eventDate": expires})
    entities = [{
        "objectClassName": "entity", "handle": f"REG-{iana}", "roles": ["registrar"],
        "publicIds": [{"type": "IANA Registrar ID", "identifier": iana}],
        "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", registrar],
                                 ["adr", {}, "text", ["", "", "Postbus 1", "Leeuwarden", "", "8900 AA", "NL"]]]],
        "entities": [{"objectClassName": "entity", "roles": ["abuse"],
                      "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Abuse desk"],
                                               ["email", {}, "text", "abuse@registrar.example"]]]}],
    }]
    if registrant:
        entities.append({"objectClassName": "entity", "handle": registrant, "roles": ["registrant"],
                         "remarks": [{"title": "REDACTED FOR PRIVACY", "description": ["Not published"]}]})
    return {
        "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_1"],
        "objectClassName": "domain", "handle": name.upper().replace(".", "_"), "ldhName": name,
        "status": list(status), "events": events, "entities": entities,
        "nameservers": [{"objectClassName": "nameserver", "ldhName": ns} for ns in nameservers],
        "secureDNS": {"delegationSigned": False},
        "links": [{"rel": "self", "href": f"https://rdap.example/domain/{name}", "type": "application/rdap+json"}],
        "notices": [{"title": "Terms of Use", "description": ["Test registry on loopback."]}],
    }


class LoopbackRDAP:
    def __init__(self):
        self.domains: dict[str, dict] = {}
        self.slow: set[str] = set()
        self.status: dict[str, int] = {}
        self.delay = 5.0
        self.requests: list[str] = []
        self._release = threading.Event()
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                registry.requests.append(self.path)
                parts = self.path.split("?")[0].strip("/").split("/")
                if len(parts) < 3 or parts[-2] != "domain":
                    return self._send(400, {"errorCode": 400, "title": "Bad Request"})
                name = parts[-1].lower()
                if name in registry.slow:
                    registry._release.wait(registry.delay)
                if name in registry.status:
                    return self._send(registry.status[name], {"errorCode": registry.status[name],
                                                              "title": "Unavailable"})
                if name in registry.domains:
                    return self._send(200, registry.domains[name])
                return self._send(404, {"errorCode": 404, "title": "Not Found",
                                        "description": ["The domain is not registered."]})

            def _send(self, code, body):
                data = json.dumps(body).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/rdap+json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/rdap/"

    def reset(self):
        self.domains.clear()
        self.slow.clear()
        self.status.clear()
        self.requests.clear()

    def start(self) -> "LoopbackRDAP":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
