"""A real SMTP server on loopback (aiosmtpd) for the mail tests.

It keeps every message it accepts, refuses the recipients in `refused` with a 550, and with
`drop` set closes the connection in the middle of a transaction, as a relay that restarts does.
With a certificate it speaks TLS from the first byte (SMTPS, port 465 style); with credentials
it requires AUTH. (aiosmtpd 1.4.6's STARTTLS hangs on Python >= 3.11, aio-libs/aiosmtpd and
bebleo/smtpdfix#227, so implicit TLS is how these tests check certificates and credentials.)
"""

import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.certs import ServerCert


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool = False
    login: str = ""


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    drop: bool = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refused:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.drop:
            server.transport.close()
            return "421 4.3.0 closing connection"
        message = message_from_bytes(envelope.content, policy=policy.default)
        login = session.auth_data.login.decode() if session.authenticated else ""
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message,
                tls=server.transport.get_extra_info("ssl_object") is not None,
                login=login,
            )
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp(
    *, cert: ServerCert | None = None, credentials: tuple[str, str] | None = None
) -> tuple[Controller, Handler]:
    handler = Handler()
    options: dict = {}
    if cert is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert.cert, cert.key)
        options.update(ssl_context=context)
    if credentials is not None:

        def authenticator(server, session, envelope, mechanism, auth_data):
            given = (
                (auth_data.login.decode(), auth_data.password.decode())
                if isinstance(auth_data, LoginPassword)
                else None
            )
            return AuthResult(success=given == credentials, handled=False, auth_data=auth_data)

        # With implicit TLS the whole session is encrypted; aiosmtpd only knows STARTTLS as TLS.
        options.update(authenticator=authenticator, auth_require_tls=False)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return controller, handler
