"""A small HTTP server standing in for the providers' servers in the provider probe tests.

It runs http.server in a thread on a free loopback port (optionally with TLS, the self-signed
certificate in certs/), and answers like:

* an OpenAI-compatible server: `GET /v1/models` with `Authorization: Bearer KEY` lists `models`;
  a wrong or missing key gets 401;
* a misconfigured one, chosen by the path's first segment: `/html/...` answers 200 with an HTML
  page, `/slow/...` never answers (until the server stops), `/broken/...` answers 500;
* the vector databases' health calls: Chroma's heartbeat, Qdrant's /healthz, Weaviate's ready
  endpoint, Milvus' RESTful collection list (code 1800 for a wrong token), Elasticsearch's cluster
  health (`cluster_status`); each checks the key header its client sends;
* anything else: 404.

`requests` records (method, path, headers) of every request, so a test can check which
documented path and which auth header a probe used.
"""

from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CERTS = Path(__file__).parent / "certs"
CERT_FILE = CERTS / "self-signed.pem"


class ApiServer:
    def __init__(self, key: str = "", models: tuple[str, ...] = (), tls: bool = False, cluster_status: str = "green") -> None:
        self.key = key
        self.models = list(models)
        self.cluster_status = cluster_status
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server._handle(self, "GET")

            def do_POST(self) -> None:
                server._handle(self, "POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(CERT_FILE, CERTS / "self-signed.key")
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port: int = self.httpd.server_address[1]
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def url(self, path: str = "") -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    # -- answers

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path.split("?", 1)[0]
        headers = {k.lower(): v for k, v in handler.headers.items()}
        self.requests.append((method, path, headers))
        length = int(headers.get("content-length") or 0)
        if length:
            handler.rfile.read(length)
        first = path.split("/")[1] if path.count("/") > 1 else ""
        if first == "slow":
            self.stopping.wait()
            return
        if first == "html":
            return self._send(handler, 200, b"<html><head><title>Login</title></head><body>Sign in</body></html>", "text/html")
        if first == "broken":
            return self._send(handler, 500, b"Internal Server Error", "text/plain")
        bearer = headers.get("authorization") == f"Bearer {self.key}" or not self.key
        route = (method, path)
        if route == ("GET", "/v1/models"):
            if not bearer:
                return self._json(handler, 401, {"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}})
            return self._json(handler, 200, {"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]})
        if route == ("GET", "/api/v2/heartbeat"):
            return self._json(handler, 200, {"nanosecond heartbeat": 1733000000000000000})
        if route == ("GET", "/healthz"):
            if self.key and headers.get("api-key") != self.key:
                return self._send(handler, 401, b"Invalid api-key", "text/plain")
            return self._send(handler, 200, b"healthz check passed", "text/plain")
        if route == ("GET", "/v1/.well-known/ready"):
            return self._send(handler, 200 if bearer else 401, b"", "application/json")
        if route == ("POST", "/v2/vectordb/collections/list"):
            if not bearer:
                return self._json(handler, 200, {"code": 1800, "message": "user hasn't authenticated"})
            return self._json(handler, 200, {"code": 0, "data": ["docs"]})
        if route == ("GET", "/_cluster/health"):
            if self.key and headers.get("authorization") != f"ApiKey {self.key}":
                return self._json(handler, 401, {"error": {"type": "security_exception"}, "status": 401})
            return self._json(handler, 200, {"cluster_name": "test", "status": self.cluster_status})
        return self._json(handler, 404, {"detail": "Not Found"})

    def _json(self, handler: BaseHTTPRequestHandler, status: int, data) -> None:
        self._send(handler, status, json.dumps(data).encode(), "application/json")

    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
