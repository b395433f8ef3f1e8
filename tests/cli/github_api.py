"""A fake of the GitHub REST API, for the endpoints the github-script steps of
examples/ci/github/ call: an issue's or pull request's comments, the pull requests of a commit,
a workflow's runs and a run's artifacts, and issues. Requests need `Authorization: token TOKEN`;
what that token writes is written by github-actions[bot], as GITHUB_TOKEN's writes are.

    python3 github_api.py TOKEN    prints its port, then serves 127.0.0.1:PORT

The test reads and seeds it: GET /_state returns everything (and every request it did not
know, under "unknown"); POST /_seed merges a JSON object into it."""

import sys

from fake_api import page, serve

TOKEN = sys.argv[1]
BOT = {"login": "github-actions[bot]", "type": "Bot"}
state = {
    "comments": {},  # issue or pull request number -> [{id, body, user}]
    "commit_pulls": {},  # sha -> [{number, merged_at, head: {sha}}]
    "workflow_runs": {},  # "workflow head_sha" -> [{id}]
    "run_artifacts": {},  # run id -> [artifact name]
    "issues": [],  # [{number, title, body, state, state_reason, user, pull_request?}]
}
next_id = [10_000]  # above any id a test seeds


def new_id():
    next_id[0] += 1
    return next_id[0]


REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"


def comments(m, q, body):
    return page(state["comments"].get(m["number"], []), q, 30)


def comment_create(m, q, body):
    comment = {"id": new_id(), "body": body["body"], "user": BOT}
    state["comments"].setdefault(m["number"], []).append(comment)
    return comment


def comment_update(m, q, body):
    for thread in state["comments"].values():
        for comment in thread:
            if str(comment["id"]) == m["id"]:
                comment["body"] = body["body"]
                return comment
    return None


def commit_pulls(m, q, body):
    return state["commit_pulls"].get(m["sha"], [])


def workflow_runs(m, q, body):
    assert q.get("event") == ["pull_request"], q
    key = f"{m['workflow']} {q['head_sha'][0]}"
    runs = state["workflow_runs"].get(key, [])
    return {"total_count": len(runs), "workflow_runs": runs}


def run_artifacts(m, q, body):
    names = state["run_artifacts"].get(m["run"], [])
    wanted = q.get("name", [None])[0]
    artifacts = [
        {"id": new_id(), "name": name} for name in names if wanted in (None, name)
    ]
    return {"total_count": len(artifacts), "artifacts": artifacts}


def issues(m, q, body):
    wanted = q.get("state", ["open"])[0]
    return page(
        [i for i in state["issues"] if wanted in ("all", i["state"])], q, 30
    )


def issue_create(m, q, body):
    issue = {
        "number": new_id(),
        "title": body["title"],
        "body": body.get("body"),
        "state": "open",
        "state_reason": None,
        "user": BOT,
    }
    state["issues"].append(issue)
    return issue


def issue_update(m, q, body):
    for issue in state["issues"]:
        if str(issue["number"]) == m["number"]:
            for field in ("title", "body", "state", "state_reason"):
                if field in body:
                    issue[field] = body[field]
            return issue
    return None


ROUTES = [
    ("GET", REPO + r"/issues/(?P<number>\d+)/comments", comments),
    ("POST", REPO + r"/issues/(?P<number>\d+)/comments", comment_create),
    ("PATCH", REPO + r"/issues/comments/(?P<id>\d+)", comment_update),
    ("GET", REPO + r"/commits/(?P<sha>\w+)/pulls", commit_pulls),
    ("GET", REPO + r"/actions/workflows/(?P<workflow>[^/]+)/runs", workflow_runs),
    ("GET", REPO + r"/actions/runs/(?P<run>\d+)/artifacts", run_artifacts),
    ("GET", REPO + r"/issues", issues),
    ("POST", REPO + r"/issues", issue_create),
    ("PATCH", REPO + r"/issues/(?P<number>\d+)", issue_update),
]


serve(state, ROUTES, lambda headers: headers.get("Authorization") == f"token {TOKEN}")
