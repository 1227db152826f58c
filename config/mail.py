"""Email with a commit point: one SMTP session for many messages, each send bounded by a whole
deadline, and a callback run at the first moment the server could have the message (after DATA's
354, before the final line). Letters (advocacy) and reminders (cases) mark a message as handed over
there, so a worker that dies mid-send never sends it again.
"""
import re
import smtplib
import socket
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address

class TransientError(Exception):
    """Worth trying again later (a timeout, a 4xx SMTP reply, a 5xx HTTP answer)."""


class PermanentError(Exception):
    """Trying again will not help (a refused recipient, an invalid message)."""



def _reason(exc: Exception) -> str:
    # An SMTP or HTTP code and the exception's class: never the letter, never an address.
    code = getattr(exc, "smtp_code", None) or getattr(exc, "status_code", None)
    return f"{type(exc).__name__}{f' {code}' if code else ''}"


class _EndNotSent(smtplib.SMTPException):
    """Sending the message failed before its final line left: not handed over."""


class _Stale(Exception):
    """A reused connection turned out closed before anything of this message was sent."""


class Unconfirmed(TransientError):
    """The message was handed over and no answer came back (the connection broke or the deadline
    cut it after the end of the message): the server may have taken it. Never sent again without
    a person's check."""


class MailSession:
    """One connection to the mail server for a batch of letters (opened on the first send, opened
    again after any error), each send bounded by its own whole deadline.

    `send` delivers one message. `before_commit` runs after the server agreed to take the message
    (354 to DATA) and before its last line is sent, the first moment the server could have it; it
    raises to abandon the send (the claim was lost), which also drops the connection. `timeout`
    bounds the whole conversation for that message, not each socket operation: a server that
    answers every command slowly (each within a per-operation timeout) would otherwise keep the
    worker past its claim. At the deadline the connection is cut; what the server had not
    accepted by then is a TransientError, what it may have accepted is Unconfirmed."""

    def __init__(self, timeout: float) -> None:
        self.timeout, self.connection, self.watchdog = timeout, None, _Watchdog()

    def __enter__(self) -> "MailSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def drop(self) -> None:
        """Close the socket without a goodbye: after an error, or mid-message (a QUIT sent after
        DATA would be read as part of the message, and wait for an answer that never comes)."""
        self.watchdog.stop()
        smtp = getattr(self.connection, "connection", None)
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass
            self.connection.connection = None
        self.connection = None

    def close(self) -> None:
        self.watchdog.stop()
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - a connection already cut: nothing to close cleanly
                pass
            self.connection = None

    def send(self, message: EmailMessage, before_commit: Callable[[], None]) -> None:
        if self.connection is None:
            self.connection = get_connection(timeout=self.timeout)
        if not isinstance(self.connection, SmtpBackend):  # console, file or test outboxes: nothing to fence
            before_commit()
            self.connection.send_messages([message])
            return
        try:
            self._send(message, before_commit)
        except _Stale:
            # A reused connection the server had closed (idle, or cut at the last send's very end):
            # nothing of this message was handed over, so once more on a new one.
            self._send(message, before_commit)

    def _send(self, message: EmailMessage, before_commit: Callable[[], None]) -> None:
        connection = self.connection or get_connection(timeout=self.timeout)
        self.connection = connection
        committed = False
        reused = connection.connection is not None

        def commit() -> None:
            nonlocal committed
            before_commit()
            committed = True

        self.watchdog.arm(self.timeout, connection)
        try:
            if connection.connection is None:
                connection.open()
                if self.watchdog.fired:  # the deadline passed while connecting (before the socket existed)
                    raise socket.timeout("deadline while connecting")
            _converse(connection.connection, message, commit)
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            codes = [code for code, _msg in exc.recipients.values()]
            if all(400 <= c < 500 for c in codes):
                raise TransientError(f"SMTPRecipientsRefused {codes[0]}") from exc
            raise PermanentError(f"SMTPRecipientsRefused {codes[0] if codes else ''}".strip()) from exc
        except smtplib.SMTPResponseException as exc:  # the server's own answer: it did not take the message
            self._reset()
            if 500 <= exc.smtp_code < 600:
                raise PermanentError(_reason(exc)) from exc
            raise TransientError(_reason(exc)) from exc
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            self.drop()
            if committed and not isinstance(exc, _EndNotSent):
                raise Unconfirmed(_reason(exc)) from exc
            if reused and not committed and isinstance(exc, smtplib.SMTPServerDisconnected) and \
                    not self.watchdog.fired:
                raise _Stale from exc
            raise TransientError(_reason(exc)) from exc
        except BaseException:  # the commit point refused (the claim was lost): drop the half-sent message
            self.drop()
            raise
        finally:
            fired = self.watchdog.disarm()
            if fired and self.connection is not None:
                self.drop()  # the deadline cut this socket as the send ended: never reuse it

    def _reset(self) -> None:
        """After a refusal the session may go on (RSET); if even that fails, start a new one."""
        try:
            self.connection.connection.rset()
        except Exception:  # noqa: BLE001
            self.drop()


def _converse(smtp: smtplib.SMTP, message: EmailMessage, commit: Callable[[], None]) -> None:
    """smtplib's sendmail for one recipient, with `commit` between DATA's 354 and the message: the
    envelope and DATA are refusable without consequence; the message's final "." is not."""
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    (recipient,) = [sanitize_address(address, encoding) for address in message.recipients()]
    data = message.message().as_bytes(linesep="\r\n")
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    code, reply = smtp.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    commit()
    data = re.sub(rb"(?m)^\.", b"..", data)  # dot-stuffing (RFC 5321 4.5.2)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    try:
        smtp.send(data + b".\r\n")
    except (smtplib.SMTPException, OSError) as exc:
        # Not all of it reached the connection: the final "." is last, so the server cannot have it.
        raise _EndNotSent(str(exc)) from exc
    code, reply = smtp.getreply()
    if 400 <= code < 600:
        raise smtplib.SMTPDataError(code, reply)  # refused: the server did not take it
    if code != 250:
        # A garbled or missing answer after the whole message: the server may have it.
        raise smtplib.SMTPException(f"no clear answer to the message ({code})")


class _Watchdog:
    """One thread per mail session that cuts the connection when a send passes its deadline
    (a thread per message cost more than half a millisecond a letter)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._deadline: float | None = None
        self._connection: object = None
        self._generation = 0  # a stopped watchdog's thread ends; arming again starts a new one
        self._running = False

    fired = False  # the deadline of the current (or last) send passed

    def arm(self, seconds: float, connection: object) -> None:
        with self._cond:
            self._deadline, self._connection, self.fired = time.monotonic() + seconds, connection, False
            if not self._running:
                self._running = True
                threading.Thread(target=self._watch, args=(self._generation,), daemon=True,
                                 name="mail-deadline").start()
            self._cond.notify()

    def disarm(self) -> bool:
        """Stop watching; True when the deadline had passed (and the socket, if any, was cut)."""
        with self._cond:
            self._deadline = self._connection = None
            self._cond.notify()
            return self.fired

    def stop(self) -> None:
        with self._cond:
            self._generation += 1
            self._running, self._deadline, self._connection = False, None, None
            self._cond.notify_all()

    def _watch(self, generation: int) -> None:
        with self._cond:
            while generation == self._generation:
                if self._deadline is None:
                    self._cond.wait()
                    continue
                left = self._deadline - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                _cut(self._connection)
                self.fired = True
                self._deadline = self._connection = None


def _cut(connection: object) -> None:
    """The deadline passed mid-conversation: shut the socket, so the worker's next read or write
    fails at once (smtplib has no deadline of its own)."""
    sock = getattr(getattr(connection, "connection", None), "sock", None)
    _shut(sock)


def _shut(sock: socket.socket | None) -> None:
    if sock is not None:
        try:
            # The plain socket's shutdown, also for TLS: SSLSocket.shutdown drops the TLS layer first,
            # and a send racing it could then write in clear.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass  # already closed
