#!/usr/bin/python3
"""smtp_sink.py - an SMTP server on loopback for the smtp channel's tests.

Usage: /usr/bin/python3 smtp_sink.py LOG [--exit-on-eof]
                                         [--starttls|--smtps CERT KEY]

Listens on 127.0.0.1, on a port the system picks, and prints that port
on a line of its own on stdout once it accepts connections. Every
session event is appended to LOG as one JSON object per line (UTF-8),
written and flushed before the reply goes out, so that a client that has
its answer can read the line:

  {"event": "ehlo", "hostname": NAME}
  {"event": "rcpt", "address": A, "reply": "250 OK"}          (any reply)
  {"event": "data_rejected", "reply": "554 ..."}
  {"event": "message", "mail_from": A, "rcpt_tos": [..], "raw": TEXT,
   "raw_ascii": bool, "tls": bool, "decoded": {...}}

"raw" is the message exactly as received (latin-1 when it is not ASCII,
with raw_ascii false). "decoded" is what Python's email package (policy
default, an independent decoder) makes of it: subject, from/to display
names and addresses, message_id, list_unsubscribe, list_unsubscribe_post,
x_crm_template, content_type, charset, cte, body (CRLF as LF) and defects.

Scripted answers, by the recipient's local part:
  bounce*  RCPT 550 5.1.1 mailbox unavailable
  busy*    RCPT 451 4.3.0 mailbox busy
  slow*    RCPT 451 4.7.1 sending rate limit exceeded, slow down
  quota*   RCPT 550 5.4.5 daily sending quota exceeded
  policy*  RCPT 550 5.7.1 recipient refused by policy
and by the raw message: X-SINK-554 -> DATA 554, X-SINK-552 -> DATA 552.

With --starttls CERT KEY the server offers STARTTLS with that certificate
and key (PEM); with --smtps it speaks TLS from the first byte (port 465
style). "message" lines then say "tls": true.

Stops on SIGTERM or SIGINT; with --exit-on-eof, also when its stdin
reaches end of file (the test that started it holds the write end of a
pipe: if the test dies, the sink goes). Without the flag stdin is not
read: a sink started with stdin at end of file (</dev/null, a CI runner)
must not quit at once and leave its port refusing connections.
"""
import asyncio
import email
import email.policy
import json
import os
import signal
import sys
import threading

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, path):
        self.log = open(path, "a", encoding="utf-8")

    def write(self, obj):
        self.log.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.log.flush()

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        session.host_name = hostname
        self.write({"event": "ehlo", "hostname": hostname})
        return responses

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("bounce"):
            reply = "550 5.1.1 <%s>: mailbox unavailable" % address
        elif local.startswith("busy"):
            reply = "451 4.3.0 mailbox busy, try again later"
        elif local.startswith("slow"):
            reply = "451 4.7.1 sending rate limit exceeded, slow down"
        elif local.startswith("quota"):
            reply = "550 5.4.5 daily sending quota exceeded"
        elif local.startswith("policy"):
            reply = "550 5.7.1 recipient refused by policy"
        else:
            reply = "250 OK"
            envelope.rcpt_tos.append(address)
        self.write({"event": "rcpt", "address": address, "reply": reply})
        return reply

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or b""
        if b"X-SINK-554" in raw:
            reply = "554 5.6.0 message content rejected"
        elif b"X-SINK-552" in raw:
            reply = "552 5.3.4 message too big for system"
        else:
            reply = None
        if reply:
            self.write({"event": "data_rejected", "reply": reply})
            return reply
        try:
            text = raw.decode("ascii")
            ascii_ok = True
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
            ascii_ok = False
        self.write({"event": "message", "mail_from": envelope.mail_from,
                    "rcpt_tos": list(envelope.rcpt_tos), "raw": text,
                    "raw_ascii": ascii_ok,
                    "tls": server.transport.get_extra_info(
                        "ssl_object") is not None,
                    "decoded": decode(raw)})
        return "250 2.0.0 OK queued"


def addr(header):
    if header is None:
        return None, None
    a = header.addresses[0]
    return a.display_name, a.addr_spec


def decode(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {}
    for key, name in (("subject", "Subject"), ("message_id", "Message-ID"),
                      ("list_unsubscribe", "List-Unsubscribe"),
                      ("list_unsubscribe_post", "List-Unsubscribe-Post"),
                      ("x_crm_template", "X-Crm-Template"),
                      ("date", "Date"), ("reply_to", "Reply-To"),
                      ("content_language", "Content-Language")):
        v = msg[name]
        out[key] = None if v is None else str(v)
    out["from_name"], out["from_addr"] = addr(msg["From"])
    out["to_name"], out["to_addr"] = addr(msg["To"])
    out["content_type"] = msg.get_content_type()
    out["charset"] = msg.get_content_charset()
    out["cte"] = msg["Content-Transfer-Encoding"]
    try:
        out["body"] = msg.get_content().replace("\r\n", "\n")
    except (LookupError, ValueError) as e:
        out["body"] = None
        out["body_error"] = str(e)
    out["defects"] = [type(d).__name__ for d in msg.defects]
    return out


def parse_args(argv):
    """(log, exit_on_eof, mode, cert, key), or None when malformed."""
    args = list(argv[1:])
    if not args:
        return None
    log, eof, mode, cert, key = args.pop(0), False, None, None, None
    while args:
        a = args.pop(0)
        if a == "--exit-on-eof":
            eof = True
        elif a in ("--starttls", "--smtps") and len(args) >= 2 and not mode:
            mode, cert, key = a, args.pop(0), args.pop(0)
        else:
            return None
    return log, eof, mode, cert, key


async def main():
    parsed = parse_args(sys.argv)
    if parsed is None:
        sys.stderr.write("usage: smtp_sink.py LOG [--exit-on-eof] "
                         "[--starttls|--smtps CERT KEY]\n")
        sys.exit(2)
    log, exit_on_eof, mode, cert, key = parsed
    handler = Sink(log)
    kwargs = {}
    server_ssl = None
    if mode:
        import ssl
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        if mode == "--starttls":
            kwargs = {"tls_context": ctx, "require_starttls": False}
        else:
            server_ssl = ctx
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", **kwargs),
        host="127.0.0.1", port=0, ssl=server_ssl)
    stop = loop.create_future()
    def done():
        if not stop.done():
            stop.set_result(None)

    def watch_stdin():
        # end of file: the test that started us is gone
        try:
            while os.read(0, 512):
                pass
        except OSError:
            pass
        loop.call_soon_threadsafe(done)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done)
    if exit_on_eof:
        threading.Thread(target=watch_stdin, daemon=True).start()
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()
    await stop
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
