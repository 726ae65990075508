"""A loopback TCP proxy that loses the response of the first connection: it forwards that connection's request
to the upstream server, reads the server's complete response head (so the request was applied), then closes the
client's connection without relaying a byte. Later connections are relayed both ways.

Usage: lossy_proxy.py UPSTREAM_PORT. Prints its own port, then runs until killed.
"""
import socket
import sys
import threading

upstream_port = int(sys.argv[1])
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(listener.getsockname()[1], flush=True)
first = True


def pump(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def lose_response(client, upstream):
    threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
    # Read the server's whole response head (a 200 to a PUT has no body): the request was applied.
    # An interim "100 Continue" must reach the client, or it never sends the body.
    received = b""
    while True:
        while b"\r\n\r\n" not in received:
            chunk = upstream.recv(65536)
            if not chunk:
                break
            received += chunk
        head, separator, rest = received.partition(b"\r\n\r\n")
        if head.startswith(b"HTTP/1.1 1") and separator:
            client.sendall(head + separator)
            received = rest
            continue
        break
    sys.stderr.write("lossy_proxy: dropped response %r\n" % received[:200])
    client.shutdown(socket.SHUT_RDWR)
    client.close()
    upstream.close()


while True:
    client, _ = listener.accept()
    upstream = socket.create_connection(("127.0.0.1", upstream_port))
    if first:
        first = False
        threading.Thread(target=lose_response, args=(client, upstream), daemon=True).start()
    else:
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
