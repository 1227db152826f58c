"""A real SMTP server on loopback for the tests (aiosmtpd), with the behaviours delivery must cope
with: refusing a recipient (permanently or for now), and holding a conversation open until the
test lets it go (to kill a worker in the middle of a delivery)."""
import asyncio
import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        """The body as the sender wrote it (SMTP carries CRLF line ends)."""
        return self.message.get_content().replace("\r\n", "\n")


@dataclass
class Handler:
    messages: list[Received] = field(default_factory=list)
    # recipient -> SMTP reply to RCPT TO, e.g. "550 5.1.1 No such user" or "451 4.3.0 Try later"
    refuse: dict[str, str] = field(default_factory=dict)
    # The n-th conversation (counted over all RCPT commands, from 1) waits at RCPT until `release`.
    hold_at: int | None = None
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    rcpts_seen: int = 0
    sessions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Seconds the server takes to answer each of MAIL, RCPT and DATA: a slow server whose every
    # answer still comes within a per-command timeout.
    delay: float = 0.0
    # recipient -> seconds the server waits, having read the whole message, before its final answer
    slow_final: dict[str, float] = field(default_factory=dict)
    # recipients whose message gets a garbled final answer instead of "250"
    garbled_final: set[str] = field(default_factory=set)
    # Called (in the server's thread) with the recipients once a message is read, before the answer.
    on_message: Callable[[list[str]], None] | None = None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: ANN001, ANN201, N802
        with self.lock:
            self.sessions += 1  # one per connection that says hello
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: ANN001, ANN201, N802
        await asyncio.sleep(self.delay)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        await asyncio.sleep(self.delay)
        with self.lock:
            self.rcpts_seen += 1
            hold = self.hold_at == self.rcpts_seen
        if hold:
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        if self.on_message is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_message, list(envelope.rcpt_tos))
        await asyncio.sleep(max((self.slow_final.get(r, 0.0) for r in envelope.rcpt_tos), default=0.0))
        if self.garbled_final & set(envelope.rcpt_tos):
            return "OK, I suppose"
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if address in m.rcpt_tos]

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Received]:
        """Block until `count` messages have arrived (or fail after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, the SMTP server received {len(self.messages)}")


class SmtpServer:
    def __init__(self) -> None:
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        self.handler.server = self  # so a test can take the server down and bring it back
        return self

    def stop(self) -> None:
        """The mail server goes away: connections to its port are refused."""
        self.controller.stop()

    def restart(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def __exit__(self, *exc: object) -> None:
        self.handler.release.set()
        self.controller.stop(no_assert=True)  # (a test may have stopped it already)
