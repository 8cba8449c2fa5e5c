"""A JWKS server for the KEYRELAY_JWT_JWKS_URL tests: serves the file argv[1] at /jwks.json
(and a redirect to it at /moved).

The file is read on every request, so a test rotates the keys by rewriting it. The server listens
on 127.0.0.1 on a port the kernel picks and writes that port to argv[2]; every request is logged
to stdout as one "GET /path" line, so the test can count the fetches.
"""
import http.server
import os
import sys

KEYS_FILE, PORT_FILE = sys.argv[1], sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print("GET " + self.path, flush=True)
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/jwks.json")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path != "/jwks.json":
            self.send_error(404)
            return
        with open(KEYS_FILE, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "public, max-age=3600")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = PORT_FILE + ".tmp"
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, PORT_FILE)
server.serve_forever()
