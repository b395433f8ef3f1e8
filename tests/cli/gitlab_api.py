"""A fake of the GitLab REST API (v4), for the endpoints examples/ci/gitlab/.gitlab-ci.yml calls:
the token's user, merge-request notes, the merge requests of a commit, a merge request's pipelines, a pipeline's
jobs, a job's artifact files, and issues with their notes. Requests need the PRIVATE-TOKEN given
on the command line; JSON bodies need their content type, as GitLab's do.

    python3 gitlab_api.py TOKEN    prints its port, then serves 127.0.0.1:PORT/api/v4/...

The test reads and seeds it: GET /_state returns everything (and every request it did not
know, under "unknown"); POST /_seed merges a JSON object into it. Artifacts are served from
the directory a job's entry names ({"job id": "/path"})."""

import sys
from pathlib import Path

from fake_api import Raw, page, serve

TOKEN = sys.argv[1]
# The token's user: a project access token's bot.
ME = {"id": 7, "username": "project_42_bot_saasctl", "bot": True}
state = {
    "notes": {},  # merge request iid -> [{id, body, author}]
    "commit_merge_requests": {},  # sha -> [{iid, state}]
    "merge_request_pipelines": {},  # iid -> [{id}], newest first
    "pipeline_jobs": {},  # pipeline id -> [{id, name}]
    "artifacts": {},  # job id -> directory
    "issues": [],  # [{iid, title, description, state, author, notes: [body]}]
}
next_id = [10_000]  # above any id a test seeds


def new_id():
    next_id[0] += 1
    return next_id[0]


PROJECT = r"/api/v4/projects/(?P<project>[^/]+)"


def user(match, query, body):
    return ME


def mr_notes(match, query, body):
    return page(state["notes"].get(match["iid"], []), query, 20)


def mr_note_create(match, query, body):
    note = {"id": new_id(), "body": body["body"], "author": ME}
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
    return page(state["pipeline_jobs"].get(match["pipeline"], []), query, 20)


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
        20,
    )


def issue_create(match, query, body):
    issue = {
        "iid": len(state["issues"]) + 1,
        "title": body["title"],
        "description": body["description"],
        "state": "opened",
        "author": ME,
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


def artifact(match, query, body):
    directory = state["artifacts"].get(match["job"])
    path = Path(directory or "/nonexistent") / match["path"]
    return Raw(path.read_bytes()) if directory and path.is_file() else None


ROUTES = [
    ("GET", r"/api/v4/user", user),
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
    ("GET", PROJECT + r"/jobs/(?P<job>\d+)/artifacts/(?P<path>.+)", artifact),
]


serve(state, ROUTES, lambda headers: headers.get("PRIVATE-TOKEN") == TOKEN)
