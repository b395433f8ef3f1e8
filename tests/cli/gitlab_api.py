"""A fake of the GitLab REST API (v4), for the endpoints examples/ci/gitlab/.gitlab-ci.yml calls:
merge-request notes, the merge requests of a commit, a merge request's pipelines, a pipeline's
jobs, a job's artifact files, and issues with their notes. Requests need the PRIVATE-TOKEN given
on the command line; JSON bodies need their content type, as GitLab's do.

    python3 gitlab_api.py TOKEN    prints its port, then serves 127.0.0.1:PORT/api/v4/...

The test reads and seeds it: GET /_state returns everything (and every request it did not
know, under "unknown"); POST /_seed merges a JSON object into it. Artifacts are served from
the directory a job's entry names ({"job id": "/path"})."""

import http.server
import json
import re
import sys
import threading
import urllib.parse
from pathlib import Path

TOKEN = sys.argv[1]
lock = threading.Lock()
state = {
    "notes": {},  # merge request iid -> [{id, body}]
    "commit_merge_requests": {},  # sha -> [{iid, state}]
    "merge_request_pipelines": {},  # iid -> [{id}], newest first
    "pipeline_jobs": {},  # pipeline id -> [{id, name}]
    "artifacts": {},  # job id -> directory
    "issues": [],  # [{iid, title, description, state, notes: [body]}]
    "unknown": [],
}
next_id = [1]


def new_id():
    next_id[0] += 1
    return next_id[0]


PROJECT = r"/api/v4/projects/(?P<project>[^/]+)"


def page(items, query):
    per_page = int(query.get("per_page", ["20"])[0])
    return items[:per_page]


def mr_notes(match, query, body):
    return page(state["notes"].get(match["iid"], []), query)


def mr_note_create(match, query, body):
    note = {"id": new_id(), "body": body["body"]}
    state["notes"].setdefault(match["iid"], []).append(note)
    return note


def mr_note_update(match, query, body):
    for note in state["notes"].get(match["iid"], []):
        if str(note["id"]) == match["note"]:
            note["body"] = body["body"]
            return note
    return None


def commit_merge_requests(match, query, body):
    return state["commit_merge_requests"].get(match["sha"], [])


def merge_request_pipelines(match, query, body):
    return state["merge_request_pipelines"].get(match["iid"], [])


def pipeline_jobs(match, query, body):
    return page(state["pipeline_jobs"].get(match["pipeline"], []), query)


def issues(match, query, body):
    wanted = query.get("state", ["all"])[0]
    search = query.get("search", [""])[0]
    assert query.get("in", ["description"])[0] == "description"
    return page(
        [
            issue
            for issue in state["issues"]
            if wanted in ("all", issue["state"]) and search in issue["description"]
        ],
        query,
    )


def issue_create(match, query, body):
    issue = {
        "iid": len(state["issues"]) + 1,
        "title": body["title"],
        "description": body["description"],
        "state": "opened",
        "notes": [],
    }
    state["issues"].append(issue)
    return issue


def find_issue(iid):
    return next((i for i in state["issues"] if str(i["iid"]) == iid), None)


def issue_update(match, query, body):
    issue = find_issue(match["iid"])
    if issue is None:
        return None
    for field in ("title", "description"):
        if field in body:
            issue[field] = body[field]
    if body.get("state_event") == "close":
        issue["state"] = "closed"
    return issue


def issue_note_create(match, query, body):
    issue = find_issue(match["iid"])
    if issue is None:
        return None
    issue["notes"].append(body["body"])
    return {"id": new_id(), "body": body["body"]}


ROUTES = [
    ("GET", PROJECT + r"/merge_requests/(?P<iid>\d+)/notes", mr_notes),
    ("POST", PROJECT + r"/merge_requests/(?P<iid>\d+)/notes", mr_note_create),
    ("PUT", PROJECT + r"/merge_requests/(?P<iid>\d+)/notes/(?P<note>\d+)", mr_note_update),
    ("GET", PROJECT + r"/repository/commits/(?P<sha>\w+)/merge_requests", commit_merge_requests),
    ("GET", PROJECT + r"/merge_requests/(?P<iid>\d+)/pipelines", merge_request_pipelines),
    ("GET", PROJECT + r"/pipelines/(?P<pipeline>\d+)/jobs", pipeline_jobs),
    ("GET", PROJECT + r"/issues", issues),
    ("POST", PROJECT + r"/issues", issue_create),
    ("PUT", PROJECT + r"/issues/(?P<iid>\d+)", issue_update),
    ("POST", PROJECT + r"/issues/(?P<iid>\d+)/notes", issue_note_create),
]
ARTIFACT = re.compile(PROJECT + r"/jobs/(?P<job>\d+)/artifacts/(?P<path>[^?]+)")


class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, status, payload, content_type="application/json"):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length).decode()
        if not raw:
            return {}
        kind = self.headers.get("Content-Type", "")
        if kind.startswith("application/json"):
            return json.loads(raw)
        # curl --data without a content type: a form, as GitLab reads it.
        return {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}

    def handle_any(self, method):
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
            if self.headers.get("PRIVATE-TOKEN") != TOKEN:
                return self.reply(401, {"message": "401 Unauthorized"})
            artifact = ARTIFACT.fullmatch(url.path)
            if method == "GET" and artifact:
                directory = state["artifacts"].get(artifact["job"])
                path = Path(directory or "/nonexistent") / artifact["path"]
                if directory is None or not path.is_file():
                    return self.reply(404, {"message": "404 Not found"})
                return self.reply(200, path.read_bytes(), "application/octet-stream")
            for route_method, pattern, action in ROUTES:
                match = re.fullmatch(pattern, url.path)
                if route_method == method and match:
                    result = action(match, query, body)
                    if result is None:
                        return self.reply(404, {"message": "404 Not found"})
                    return self.reply(201 if method == "POST" else 200, result)
            state["unknown"].append(f"{method} {self.path}")
            return self.reply(404, {"message": "404 Not found"})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
