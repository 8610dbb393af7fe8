#!/usr/bin/python3
"""http_sink.py - a scriptable HTTP provider for the channel tests.

Usage: http_sink.py LOG [--script FILE] [--notify PATH] [--exit-on-eof]

Listens on 127.0.0.1, port 0 (the kernel picks one), and prints the port
on stdout (one line). Every request other than the control endpoints is
a delivery attempt and is recorded, before it is answered, as one JSON
line appended to LOG:

  {"seq": 3, "kind": "delivered", "status": 200, "method": "POST",
   "path": "/sms", "headers": {"content-type": "...", ...},
   "body": "...", "key": "crm-...-3", "message_id": "sink-3",
   "held": false, "peer": 51234}

peer is the client's port (the same on two requests: the connection was
reused).

kind is one of:
  delivered  a new message accepted (2xx) - what a real provider sends on
  duplicate  a request whose Idempotency-Key was already accepted: it is
             answered with the first answer (same status, same message
             id) and is NOT a new delivery
  failed     answered with a scripted non-2xx status (nothing delivered)

Header names are lowercased; the body is decoded as UTF-8 (invalid bytes
replaced).

Answers follow a script: a list consumed one entry per new (non
duplicate) attempt; when it is empty the answer is 200. An entry is a
status (500) or an object:
  {"status": 429, "headers": {"Retry-After": "3"}, "body": "slow down",
   "message_id": "abc", "no_id_header": true, "hold": true}
A 2xx answer carries the body {"message_id": ID, "status": "accepted"}
(unless "body" is given) and the header X-Message-Id: ID (unless
no_id_header), ID being "sink-<seq>" unless message_id is given. An error
answer carries {"error": "scripted <status>"} unless "body" is given.

"hold": the request is accepted as a delivery (recorded as delivered,
its key remembered as answered 200, as a provider that did its job but
whose acknowledgement was lost), then one line "held <seq> <key>" is
written to the notify path (a FIFO the test blocks on) and the request
is never answered.

Control (not recorded):
  POST /_control {"script": [...]}   replaces the script
  POST /_control {"append": [...]}   appends to the script
  POST /_control {"forget": true}    forgets the keys already answered
  GET  /_log                         the recorded lines as a JSON array

The initial script can be given with --script FILE (a JSON list).
--exit-on-eof: exit when stdin reaches end of file (the test holds the
write end of a pipe, so the sink dies with the test).
"""

import http.server
import json
import os
import sys
import threading


class Sink:
    def __init__(self, log_path, script, notify):
        self.lock = threading.Lock()
        self.log_path = log_path
        self.script = list(script)
        self.notify = notify
        self.seq = 0
        self.answered = {}  # key -> (status, message_id, headers, body)
        self.lines = []
        self.forever = threading.Event()  # never set: held requests wait

    def record(self, entry):
        # called with the lock held; the line is on disk before the answer
        line = json.dumps(entry, sort_keys=True)
        self.lines.append(entry)
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())


def normalize(entry):
    if isinstance(entry, int):
        return {"status": entry}
    if isinstance(entry, dict):
        e = dict(entry)
        e.setdefault("status", 200)
        return e
    raise ValueError("script entries are statuses or objects")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "http_sink/1.0"

    def log_message(self, fmt, *args):
        pass

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def answer(self, status, headers, body):
        data = body.encode("utf-8")
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def control(self, raw):
        sink = self.server.sink
        try:
            req = json.loads(raw.decode("utf-8") or "{}")
            with sink.lock:
                if "script" in req:
                    sink.script = [normalize(e) for e in req["script"]]
                if "append" in req:
                    sink.script.extend(normalize(e) for e in req["append"])
                if req.get("forget"):
                    sink.answered.clear()
        except (ValueError, TypeError, AttributeError) as exc:
            self.answer(400, {}, json.dumps({"error": str(exc)}))
            return
        self.answer(200, {}, '{"ok": true}')

    def attempt(self, raw):
        sink = self.server.sink
        headers = {k.lower(): v for k, v in self.headers.items()}
        key = headers.get("idempotency-key")
        hold = False
        with sink.lock:
            sink.seq += 1
            seq = sink.seq
            entry = {"seq": seq, "method": self.command, "path": self.path,
                     "headers": headers,
                     "body": raw.decode("utf-8", errors="replace"),
                     "key": key, "held": False,
                     "peer": self.client_address[1]}
            if key is not None and key in sink.answered:
                status, mid, extra, body = sink.answered[key]
                entry.update(kind="duplicate", status=status, message_id=mid)
                sink.record(entry)
            else:
                step = sink.script.pop(0) if sink.script else {"status": 200}
                status = int(step["status"])
                extra = dict(step.get("headers", {}))
                mid = None
                if 200 <= status <= 299:
                    mid = step.get("message_id", "sink-%d" % seq)
                    body = step.get("body", json.dumps(
                        {"message_id": mid, "status": "accepted"}))
                    if not step.get("no_id_header"):
                        extra["X-Message-Id"] = mid
                    if key is not None:
                        sink.answered[key] = (status, mid, extra, body)
                    entry.update(kind="delivered")
                else:
                    body = step.get("body", json.dumps(
                        {"error": "scripted %d" % status}))
                    entry.update(kind="failed")
                hold = bool(step.get("hold"))
                entry.update(status=status, message_id=mid, held=hold)
                sink.record(entry)
        if hold:
            if sink.notify:
                with open(sink.notify, "w", encoding="utf-8") as f:
                    f.write("held %d %s\n" % (seq, key))
            sink.forever.wait()
            return
        self.answer(status, extra, body)

    def handle_any(self):
        raw = self.read_body()
        if self.path == "/_control" and self.command == "POST":
            self.control(raw)
        elif self.path == "/_log" and self.command == "GET":
            with self.server.sink.lock:
                text = json.dumps(self.server.sink.lines)
            self.answer(200, {}, text)
        else:
            self.attempt(raw)

    do_POST = handle_any
    do_PUT = handle_any
    do_GET = handle_any
    do_PATCH = handle_any
    do_DELETE = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(argv):
    args = list(argv[1:])
    script, notify, eof = [], None, False
    if not args:
        sys.stderr.write(__doc__)
        return 2
    log_path = args.pop(0)
    while args:
        a = args.pop(0)
        if a == "--script":
            with open(args.pop(0), encoding="utf-8") as f:
                script = [normalize(e) for e in json.load(f)]
        elif a == "--notify":
            notify = args.pop(0)
        elif a == "--exit-on-eof":
            eof = True
        else:
            sys.stderr.write("unknown argument %s\n" % a)
            return 2
    open(log_path, "a", encoding="utf-8").close()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.sink = Sink(log_path, script, notify)
    if eof:
        def watch():
            while sys.stdin.buffer.read(4096):
                pass
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    sys.stdout.write("%d\n" % srv.server_address[1])
    sys.stdout.flush()
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
