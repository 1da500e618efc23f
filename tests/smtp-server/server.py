"""A real SMTP server for Obcan's tests (aiosmtpd), on loopback.

    server.py FOLDER [--login USER:PASSWORD]

Writes each message it accepts to FOLDER as <n>.eml (whole, or not at all),
and prints "ready <port>" once it listens on 127.0.0.1 at a free port. With
--login, it accepts only clients that authenticate as USER with PASSWORD
(AUTH PLAIN or LOGIN, allowed without TLS: the test runs on loopback).
"""

import argparse
import asyncio
import itertools
import os
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Folder:
    """Files each message's content, as received, under the next number."""

    def __init__(self, path):
        self.path = path
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(self.path, f"{next(self.numbers)}.eml")
        partial = name + ".partial"
        with open(partial, "wb") as out:
            out.write(envelope.original_content or envelope.content)
        os.replace(partial, name)
        return "250 Message accepted"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        good = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        # Not handled here: the server answers 535 itself on failure.
        return AuthResult(success=good, handled=False)

    return check


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--login", help="USER:PASSWORD that clients must authenticate with")
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    handler = Folder(args.folder)
    options = {}
    if args.login:
        user, password = args.login.split(":", 1)
        options = dict(
            authenticator=authenticator(user, password),
            auth_required=True,
            auth_require_tls=False,
        )
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp.test", **options), host="127.0.0.1", port=0
    )
    port = server.sockets[0].getsockname()[1]
    print(f"ready {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
