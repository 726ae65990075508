#!/usr/bin/env python3
"""A loopback HTTP proxy in front of an S3 service that answers every Nth request with 503 SlowDown without
forwarding it, and relays the others unchanged (the Host header too, so SigV4 signatures stay valid).

Usage: slowdown_proxy.py UPSTREAM_PORT [N=3]. Prints its own port, then serves until killed; on exit (SIGTERM)
nothing is left behind.
"""
import http.client
import http.server
import sys
import threading

UPSTREAM = int(sys.argv[1])
EVERY = int(sys.argv[2]) if len(sys.argv) > 2 else 3
SLOWDOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
            b'<Message>Please reduce your request rate.</Message></Error>')
count = 0
lock = threading.Lock()


class Relay(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def relay(self):
        global count
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            count += 1
            refuse = count % EVERY == 0
        if refuse:
            self.send_response(503, "Slow Down")
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(SLOWDOWN)))
            self.end_headers()
            self.wfile.write(SLOWDOWN)
            return
        upstream = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=120)
        upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for name, value in self.headers.items():
            if name.lower() != "connection":
                upstream.putheader(name, value)
        upstream.endheaders(body if body else None)
        response = upstream.getresponse()
        data = response.read()
        self.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            lower = name.lower()
            if lower in ("connection", "transfer-encoding") or (lower == "content-length" and self.command != "HEAD"):
                continue
            self.send_header(name, value)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        upstream.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = relay


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Relay)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
