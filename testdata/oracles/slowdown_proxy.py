#!/usr/bin/env python3
"""A loopback HTTP proxy in front of an S3 service that answers every Nth request with 503 SlowDown.

    slowdown_proxy.py UPSTREAM_PORT [--every 3]

Prints its own port, then serves until killed. Every request is read whole (an `Expect: 100-continue` is
answered, a chunked body is de-chunked); request N, 2N, ... get `503` with the S3 error body `SlowDown` and are
not forwarded; the others are forwarded to 127.0.0.1:UPSTREAM_PORT with their headers unchanged (the Host header
too, so a SigV4 signature made for the proxy's address still verifies) and the response is relayed. Each
injected fault is logged to stderr ("slowdown_proxy: 503 #K METHOD PATH").
"""
import argparse
import http.client
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOWDOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
            b'<Message>Please reduce your request rate.</Message><RequestId>slowdown-proxy</RequestId></Error>')
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream_port = 0
    every = 3
    count = 0
    faults = 0
    lock = threading.Lock()

    def log_message(self, *args):  # quiet: only faults are logged
        pass

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def handle_any(self):
        payload = self.body()
        with Proxy.lock:
            Proxy.count += 1
            fault = Proxy.count % Proxy.every == 0
            if fault:
                Proxy.faults += 1
                number = Proxy.faults
        if fault:
            sys.stderr.write(f"slowdown_proxy: 503 #{number} {self.command} {self.path}\n")
            sys.stderr.flush()
            self.send_response(503)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(0 if self.command == "HEAD" else len(SLOWDOWN)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(SLOWDOWN)
            return
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in HOP_BY_HOP and k.lower() not in ("expect", "content-length")}
        if payload or self.command in ("PUT", "POST"):
            headers["Content-Length"] = str(len(payload))
        connection = http.client.HTTPConnection("127.0.0.1", Proxy.upstream_port, timeout=120)
        try:
            connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in headers.items():
                connection.putheader(k, v)
            connection.endheaders(payload if payload else None)
            response = connection.getresponse()
            data = response.read()
            self.send_response(response.status, response.reason)
            for k, v in response.getheaders():
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            length = response.getheader("Content-Length") if self.command == "HEAD" else None
            self.send_header("Content-Length", length if length is not None else str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        finally:
            connection.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("upstream_port", type=int)
    ap.add_argument("--every", type=int, default=3)
    a = ap.parse_args()
    Proxy.upstream_port = a.upstream_port
    Proxy.every = a.every
    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
