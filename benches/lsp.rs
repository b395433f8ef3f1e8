//! How long `saasctl lsp` takes to re-check a 1,000-environment file on a keystroke:
//! `cargo bench --bench lsp`. The server runs its real loop over an in-memory connection; each
//! keystroke is a full-text `didChange` followed by a hover request, and the time is until the
//! hover's answer, which the server sends only after it has re-checked the file and published
//! what changed. Prints the median and the slowest; asserts nothing (timing belongs in a
//! benchmark, not in a test).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;

mod common;
use common::large_config;

/// A client of the server at the other end of `connection`.
struct Client {
    connection: Connection,
    next_id: i32,
    published: usize,
}

impl Client {
    fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let request = Request::new(id.clone(), method.to_owned(), params);
        self.connection.sender.send(request.into()).unwrap();
        loop {
            match self.connection.receiver.recv().unwrap() {
                Message::Response(response) if response.id == id => {
                    return response.response_result.unwrap_or_default();
                }
                Message::Notification(_) => self.published += 1,
                _ => {}
            }
        }
    }

    fn notify(&self, method: &str, params: serde_json::Value) {
        let notification = Notification::new(method.to_owned(), params);
        self.connection.sender.send(notification.into()).unwrap();
    }
}

/// The times of `keystrokes` edits of `yaml`, each a change of one character deep in the file,
/// fastest first; `findings_change`: each keystroke adds or removes a finding (so each
/// publishes), else it changes nothing the rules see (a comment).
fn keystrokes(yaml: &str, keystrokes: usize, findings_change: bool) -> (Vec<Duration>, usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saasctl.yaml");
    std::fs::write(&path, yaml).unwrap();
    let uri = url::Url::from_file_path(&path).unwrap().to_string();
    let root = url::Url::from_directory_path(dir.path())
        .unwrap()
        .to_string();
    let (server, client) = Connection::memory();
    let serving = std::thread::Builder::new()
        .stack_size(saasctl::run::MAIN_THREAD_STACK)
        .spawn(move || saasctl::run::lsp::serve(&server))
        .unwrap();
    let mut client = Client {
        connection: client,
        next_id: 0,
        published: 0,
    };
    client.request(
        "initialize",
        json!({"capabilities": {}, "workspaceFolders": [{"uri": root, "name": "bench"}]}),
    );
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": yaml}}),
    );
    let middle = yaml.len() / 2;
    let line_end = middle + yaml[middle..].find('\n').unwrap();
    let (before, after) = yaml.split_at(line_end);
    let mut times = Vec::new();
    let published = client.published;
    for keystroke in 0..keystrokes {
        // Every other keystroke types a character, the next one deletes it.
        let typed = if keystroke % 2 == 0 {
            if findings_change { "x" } else { " # x" }
        } else {
            ""
        };
        let text = if findings_change && keystroke % 2 == 0 {
            // `testing` becomes `testingx` on the line before: SC000, then gone again.
            let tier = before.rfind("tier: testing").unwrap() + "tier: testing".len();
            format!("{}{typed}{}", &yaml[..tier], &yaml[tier..])
        } else {
            format!("{before}{typed}{after}")
        };
        let started = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": keystroke + 2}, "contentChanges": [{"text": text}]}),
        );
        client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
        );
        times.push(started.elapsed());
    }
    let publications = client.published - published;
    client.request("shutdown", json!(null));
    client.notify("exit", json!(null));
    serving.join().unwrap().unwrap();
    times.sort();
    (times, publications)
}

fn main() {
    let yaml = large_config(1_000, false);
    for (findings_change, what) in [
        (true, "a finding appears or goes (published)"),
        (false, "a comment typed (nothing to publish)"),
    ] {
        let (times, publications) = keystrokes(&yaml, 60, findings_change);
        println!(
            "lsp, 1,000 environments ({} KiB), {what}: median {:.2?}, slowest {:.2?} over {} keystrokes, {publications} publications",
            yaml.len() / 1024,
            times[times.len() / 2],
            times[times.len() - 1],
            times.len()
        );
    }
}
