"""An RFC 3161 time-stamping authority over HTTP for Obcan's tests, on
loopback: `openssl ts -reply` behind the standard library's HTTP server.

    server.py [FOLDER] [--login USER:PASSWORD]

Creates in FOLDER (or a temporary folder of its own, removed on exit) a test
CA, a TSA certificate it issued (extendedKeyUsage=critical,timeStamping), a
second CA with a TSA of its own that the tests do not trust, and the
`openssl ts` configuration. Then it listens on 127.0.0.1 at a free port and
prints one line, "ready <port> <trusted CA certificate, PEM file>". It exits
when its standard input closes, i.e. when the test that started it ends.

POST an application/timestamp-query to /tsa for a good answer, or to
/tsa/ess-sha1 for one that names its signer by SHA-1 (the first
signingCertificate attribute rather than the second); the other paths answer
the ways a TSA can go wrong:

    /tsa/garbage       random bytes, as an application/timestamp-reply
    /tsa/error         HTTP 500
    /tsa/slow          a good answer, 10 seconds late
    /tsa/html          an HTML page, HTTP 200
    /tsa/huge          a 1 MiB application/timestamp-reply
    /tsa/rejection     status rejection with failInfo badAlg, from openssl
                       itself (a TSA that only takes SHA-512)
    /tsa/other-digest  a good token over another digest, the nonce kept
    /tsa/other-nonce   a good token over the digest, with another nonce
    /tsa/untrusted     a good token from the second CA's TSA
    /tsa/wrong-usage   a token signed by a certificate of the trusted CA
                       whose timeStamping usage is not critical

With --login, a request without that HTTP basic login gets 401.
"""

import argparse
import base64
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

SHA256_OID = bytes.fromhex("0609608648016503040201")
TST_INFO_OID = "1.2.840.113549.1.9.16.1.4"
MAX_QUERY = 64 * 1024

TSA_SECTION = """
[ {name} ]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/{signer}.crt
certs = $dir/{ca}.crt
signer_key = $dir/{signer}.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = {digests}
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = {ess_hash}
"""


def openssl(*args, cwd):
    """Runs openssl; its output, or an exception with what it said."""
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


class Authority:
    """The certificates and configuration in one folder, and what answers
    each mode. `openssl ts` keeps a serial file: one reply at a time."""

    def __init__(self, folder):
        self.folder = folder
        self.lock = threading.Lock()
        self.make_ca("ca", "Obcan Test TSA CA")
        self.issue("tsa", "ca", "Obcan Test TSA", "critical,timeStamping")
        self.issue("plain", "ca", "Obcan Test Not A TSA", "timeStamping")
        self.make_ca("other-ca", "Obcan Test Other CA")
        self.issue("other-tsa", "other-ca", "Obcan Test Other TSA", "critical,timeStamping")
        sections = [
            TSA_SECTION.format(name="tsa_good", folder=folder, signer="tsa", ca="ca",
                               digests="sha256, sha384, sha512", ess_hash="sha256"),
            TSA_SECTION.format(name="tsa_ess_sha1", folder=folder, signer="tsa", ca="ca",
                               digests="sha256, sha384, sha512", ess_hash="sha1"),
            TSA_SECTION.format(name="tsa_untrusted", folder=folder, signer="other-tsa",
                               ca="other-ca", digests="sha256, sha384, sha512", ess_hash="sha256"),
            TSA_SECTION.format(name="tsa_picky", folder=folder, signer="tsa", ca="ca",
                               digests="sha512", ess_hash="sha256"),
        ]
        with open(os.path.join(folder, "tsa.cnf"), "w") as out:
            out.write("[ tsa ]\ndefault_tsa = tsa_good\n" + "".join(sections))
        self.ca_path = os.path.join(folder, "ca.crt")

    def make_ca(self, name, common_name):
        openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "30",
                "-subj", f"/CN={common_name}",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=self.folder)

    def issue(self, name, ca, common_name, usage):
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={common_name}",
                cwd=self.folder)
        with open(os.path.join(self.folder, f"{name}.ext"), "w") as out:
            out.write("basicConstraints=critical,CA:FALSE\n"
                      "keyUsage=critical,digitalSignature\n"
                      f"extendedKeyUsage={usage}\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
                "-CAcreateserial", "-out", f"{name}.crt", "-days", "30",
                "-extfile", f"{name}.ext", cwd=self.folder)

    def reply(self, query, section="tsa_good"):
        """openssl's TimeStampResp to a query, DER."""
        with self.lock, tempfile.TemporaryDirectory(dir=self.folder) as work:
            with open(os.path.join(work, "query.tsq"), "wb") as out:
                out.write(query)
            openssl("ts", "-reply", "-config", os.path.join(self.folder, "tsa.cnf"),
                    "-section", section, "-queryfile", "query.tsq", "-out", "reply.tsr", cwd=work)
            with open(os.path.join(work, "reply.tsr"), "rb") as answer:
                return answer.read()

    def query_for(self, digest):
        """A new query over a digest, with openssl's own random nonce."""
        return openssl("ts", "-query", "-digest", digest.hex(), "-sha256", "-cert",
                       cwd=self.folder)

    def signed_by_plain(self, query):
        """A good token's TSTInfo, signed again (CAdES: with the
        signingCertificateV2 attribute) by the certificate without critical
        timeStamping usage, as a granted TimeStampResp."""
        good = self.reply(query)
        with tempfile.TemporaryDirectory(dir=self.folder) as work:
            with open(os.path.join(work, "reply.tsr"), "wb") as out:
                out.write(good)
            openssl("ts", "-reply", "-in", "reply.tsr", "-token_out", "-out", "token.der",
                    cwd=work)
            openssl("cms", "-verify", "-noverify", "-inform", "DER", "-in", "token.der",
                    "-out", "tst.der", cwd=work)
            token = openssl("cms", "-sign", "-binary", "-nodetach", "-nosmimecap", "-cades",
                            "-md", "sha256", "-econtent_type", TST_INFO_OID,
                            "-signer", os.path.join(self.folder, "plain.crt"),
                            "-inkey", os.path.join(self.folder, "plain.key"),
                            "-certfile", self.ca_path, "-outform", "DER", "-in", "tst.der",
                            cwd=work)
        return der(0x30, der(0x30, bytes.fromhex("020100")) + token)


def der(tag, contents):
    if len(contents) < 0x80:
        length = bytes([len(contents)])
    else:
        digits = len(contents).to_bytes((len(contents).bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(digits)]) + digits
    return bytes([tag]) + length + contents


def digest_span(query):
    """Where the SHA-256 digest sits in a query: after the algorithm's OID,
    its optional NULL parameters and the OCTET STRING header."""
    start = query.find(SHA256_OID)
    if start < 0:
        return None
    at = start + len(SHA256_OID)
    if query[at:at + 2] == b"\x05\x00":
        at += 2
    if query[at:at + 2] != b"\x04\x20":
        return None
    return at + 2, at + 34


class Handler(http.server.BaseHTTPRequestHandler):
    authority = None
    login = None

    def do_POST(self):
        if self.login is not None:
            expected = "Basic " + base64.b64encode(self.login.encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self.answer(401, "text/plain", b"login required\n",
                                   [("WWW-Authenticate", 'Basic realm="tsa"')])
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_QUERY:
            return self.answer(413, "text/plain", b"too large\n")
        query = self.rfile.read(length)
        if self.headers.get("Content-Type") != "application/timestamp-query":
            return self.answer(415, "text/plain", b"expected application/timestamp-query\n")
        mode = self.path.removeprefix("/tsa").strip("/")
        try:
            self.serve(mode, query)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as a timing-out client does
        except Exception as error:
            # Whatever failed (openssl, say) is a 500 and a line on stderr.
            print(f"tsa-server: {mode or 'good'}: {error}", file=sys.stderr, flush=True)
            self.answer(500, "text/plain", b"the test TSA failed\n")

    def serve(self, mode, query):
        def reply(body):
            self.answer(200, "application/timestamp-reply", body)

        span = digest_span(query)
        if mode == "":
            reply(self.authority.reply(query))
        elif mode == "garbage":
            reply(os.urandom(300))
        elif mode == "error":
            self.answer(500, "text/plain", b"internal error\n")
        elif mode == "slow":
            time.sleep(10)
            reply(self.authority.reply(query))
        elif mode == "html":
            self.answer(200, "text/html", b"<!doctype html><title>Not a TSA</title>\n")
        elif mode == "huge":
            reply(b"\x30" * (1024 * 1024))
        elif mode == "rejection":
            reply(self.authority.reply(query, section="tsa_picky"))
        elif mode == "other-digest" and span:
            start, end = span
            other = query[:start] + bytes(b ^ 0xFF for b in query[start:end]) + query[end:]
            reply(self.authority.reply(other))
        elif mode == "other-nonce" and span:
            start, end = span
            reply(self.authority.reply(self.authority.query_for(query[start:end])))
        elif mode == "ess-sha1":
            reply(self.authority.reply(query, section="tsa_ess_sha1"))
        elif mode == "untrusted":
            reply(self.authority.reply(query, section="tsa_untrusted"))
        elif mode == "wrong-usage":
            reply(self.authority.signed_by_plain(query))
        else:
            self.answer(404, "text/plain", b"no such mode\n")

    def answer(self, status, content_type, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # quiet: the tests read their own results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", help="where the certificates go")
    parser.add_argument("--login", help="USER:PASSWORD that clients must send (HTTP basic)")
    args = parser.parse_args()
    own_folder = None
    if args.folder:
        os.makedirs(args.folder, exist_ok=True)
        folder = os.path.abspath(args.folder)
    else:
        own_folder = folder = tempfile.mkdtemp(prefix="tsa-server-")

    def leave(code):
        if own_folder:
            shutil.rmtree(own_folder, ignore_errors=True)
        # Threads may still sleep in /tsa/slow: do not wait for them.
        os._exit(code)

    try:
        Handler.authority = Authority(folder)
    except Exception as error:
        print(f"tsa-server: cannot set up: {error}", file=sys.stderr, flush=True)
        leave(1)
    Handler.login = args.login
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True

    def watch_stdin():
        sys.stdin.buffer.read()
        leave(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"ready {server.server_address[1]} {Handler.authority.ca_path}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        leave(0)


if __name__ == "__main__":
    main()
