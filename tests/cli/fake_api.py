"""What the fakes of web APIs (gitlab_api.py, github_api.py) share: a threaded server on a free
loopback port that prints the port, answers JSON (or raw bytes), pages lists with a
`Link: rel="next"` header, refuses requests without the token, and lets the test read
(GET /_state, with every request no route knew under "unknown") and seed (POST /_seed) it."""

import http.server
import json
import re
import threading
import urllib.parse


class Page(list):
    """One page of a list, and whether another follows."""

    more = False


def page(items, query, per_page):
    """The page of `items` the query asks for (`per_page`, `page`)."""
    per_page = int(query.get("per_page", [str(per_page)])[0])
    number = int(query.get("page", ["1"])[0])
    result = Page(items[(number - 1) * per_page : number * per_page])
    result.more = len(items) > number * per_page
    return result


class Raw(bytes):
    """An answer that is not JSON (a file)."""


def serve(state, routes, authorized):
    """Serves `routes`, [(method, path pattern, action(match, query, body))]: an action returns
    the answer, or None for 404. `authorized(headers)` says whether a request may be answered."""
    state["unknown"] = []
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def reply(self, status, payload):
            raw = isinstance(payload, Raw)
            data = bytes(payload) if raw else json.dumps(payload).encode()
            self.send_response(status)
            if isinstance(payload, Page) and payload.more:
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                query["page"] = [str(int(query.get("page", ["1"])[0]) + 1)]
                following = urllib.parse.urlencode(query, doseq=True)
                link = f"http://{self.headers['Host']}{url.path}?{following}"
                self.send_header("Link", f'<{link}>; rel="next"')
            kind = "application/octet-stream" if raw else "application/json"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            if not raw:
                return {}
            if self.headers.get("Content-Type", "").startswith("application/json"):
                return json.loads(raw)
            # A form (curl --data without a content type), as the real APIs read it.
            return {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}

        def answer(self, method):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            body = self.body()
            with lock:
                if url.path == "/_state":
                    return self.reply(200, state)
                if url.path == "/_seed":
                    for key, value in body.items():
                        if isinstance(state.get(key), dict):
                            state[key].update(value)
                        else:
                            state[key] = value
                    return self.reply(200, {})
                if not authorized(self.headers):
                    return self.reply(401, {"message": "401 Unauthorized"})
                for route_method, pattern, action in routes:
                    match = re.fullmatch(pattern, url.path)
                    if route_method == method and match:
                        result = action(match, query, body)
                        if result is None:
                            return self.reply(404, {"message": "404 Not Found"})
                        return self.reply(201 if method == "POST" else 200, result)
                state["unknown"].append(f"{method} {self.path}")
                return self.reply(404, {"message": "404 Not Found"})

        def do_GET(self):
            self.answer("GET")

        def do_POST(self):
            self.answer("POST")

        def do_PUT(self):
            self.answer("PUT")

        def do_PATCH(self):
            self.answer("PATCH")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
