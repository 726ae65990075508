"""A loopback HTTP listener that checks the AWS SigV4 signature of each request it receives against botocore.

Usage: sigv4_listener.py COUNT ACCESS_KEY SECRET_KEY [SESSION_TOKEN]
Prints the port it listens on (one line), answers COUNT requests with minimal S3-shaped responses, then prints
one JSON line per request: method, path, signed headers, and the problems found (empty when botocore computes
the same Authorization header for the same method, URL, signed headers, payload hash and X-Amz-Date).
"""
import datetime
import hashlib
import http.server
import json
import sys
import threading
import urllib.parse
from unittest import mock

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

count, access_key, secret_key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
token = sys.argv[4] if len(sys.argv) > 4 else None
REGION = "eu-central-1"
results = []
done = threading.Event()

# Headers whose meaning the service relies on: each one present must be signed.
MUST_SIGN = {"host", "content-md5", "content-type", "if-none-match", "range"}


class CapturedPayloadAuth(S3SigV4Auth):
    """botocore's S3 signer, with the payload hash the request declared (verified against the body separately)."""

    def __init__(self, credentials, declared_payload_hash):
        super().__init__(credentials, "s3", REGION)
        self.declared = declared_payload_hash

    def payload(self, request):
        return self.declared


def verify(method, raw_path, headers, body):
    problems = []
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return ["no SigV4 Authorization header"], []
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    for name in headers.keys():
        lname = name.lower()
        if (lname in MUST_SIGN or lname.startswith("x-amz-")) and lname not in signed:
            problems.append("header %s is sent but not signed" % lname)
    declared = headers.get("x-amz-content-sha256")
    if declared is None:
        problems.append("no x-amz-content-sha256 header")
    elif declared != "UNSIGNED-PAYLOAD" and declared != hashlib.sha256(body).hexdigest():
        problems.append("x-amz-content-sha256 is not the SHA-256 of the body")
    if "content-md5" in (k.lower() for k in headers.keys()):
        import base64
        if base64.b64decode(headers["Content-MD5"]) != hashlib.md5(body).digest():
            problems.append("Content-MD5 is not the MD5 of the body")
    path, _, query = raw_path.partition("?")
    # The path must be the key URI-encoded once, as botocore's S3 serializer does it.
    if urllib.parse.quote(urllib.parse.unquote(path), safe="/~") != path:
        problems.append("path %r is not the canonical URI encoding of its key" % path)
    # botocore encodes and sorts the decoded query parameters itself (independently of the URL's order).
    params = urllib.parse.parse_qsl(query, keep_blank_values=True)
    url = "http://%s%s" % (headers["Host"], path)
    to_sign = {k: v for k, v in headers.items() if k.lower() in signed and k.lower() not in ("x-amz-date",)}
    request = AWSRequest(method=method, url=url, headers=to_sign, data=body, params=params)
    stamp = datetime.datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    with mock.patch("botocore.auth.get_current_datetime", return_value=stamp):
        CapturedPayloadAuth(Credentials(access_key, secret_key, token), declared).add_auth(request)
    if request.headers["Authorization"] != auth:
        problems.append("signature differs: libcurl %r, botocore %r" % (auth, request.headers["Authorization"]))
    return problems, signed


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        if self.headers.get("Expect", "").lower() == "100-continue":
            pass  # BaseHTTPRequestHandler answers 100 Continue itself for HTTP/1.1
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        try:
            problems, signed = verify(self.command, self.path, self.headers, body)
        except Exception as error:  # report, and still answer: the client must not wait for a response
            problems, signed = ["the oracle failed: %r" % error], []
        results.append({"method": self.command, "path": self.path, "signed": signed, "problems": problems})
        query = urllib.parse.urlsplit(self.path).query
        payload = b""
        if "list-type=2" in query:
            payload = b"<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"
        elif query.startswith("delete"):
            payload = b"<DeleteResult></DeleteResult>"
        elif query.startswith("uploads"):
            payload = b"<InitiateMultipartUploadResult><UploadId>u-1</UploadId></InitiateMultipartUploadResult>"
        elif self.headers.get("x-amz-copy-source"):
            payload = b"<CopyObjectResult><ETag>&quot;0123&quot;</ETag></CopyObjectResult>"
        elif self.command == "GET":
            payload = b"abcde"
        self.send_response(204 if self.command == "DELETE" else 200)
        self.send_header("ETag", '"0123"')
        self.send_header("Content-Length", "5" if self.command == "HEAD" else str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        if len(results) >= count:
            done.set()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_any

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
if not done.wait(180):
    print(json.dumps({"problems": ["timed out waiting for %d requests, got %d" % (count, len(results))]}), flush=True)
for result in results:
    print(json.dumps(result), flush=True)
server.shutdown()
