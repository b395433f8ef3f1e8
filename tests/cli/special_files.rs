//! Special files where saasctl expects regular ones (a configuration, an env file target, a
//! saved plan, the emulator's state): `/dev/zero` and a fifo are refused at once, never read
//! on or waited for.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TestContext, both, repo, saasctl};

/// Runs `command`, killing it if it has not ended within 5 s (then the test fails).
fn within_seconds(mut command: Command) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start saasctl");
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(5) {
            child.kill().expect("kill");
            panic!(
                "saasctl waited on a special file: {:?}",
                child.wait_with_output()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    (child.wait_with_output().expect("output"), started.elapsed())
}

fn fifo(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let made = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
    assert!(made.success());
    path
}

#[test]
fn special_files_are_refused_at_once() {
    let workspace = TestContext::offline(
        &std::fs::read_to_string(repo().join("examples/quickstart/saasctl.yaml"))
            .expect("quickstart"),
    );
    let dir = workspace.path();
    let pipe = fifo(dir, "pipe.yaml");
    let pipe = pipe.display().to_string();
    let fifo = "it is a fifo, not a regular file";
    // (arguments, exit status: 3 where a plan is refused by its finding, what is said)
    let cases: [(&[&str], i32, &str); 6] = [
        (
            &["validate", "/dev/zero"],
            1,
            "it is a character device, not a regular file",
        ),
        (&["validate", &pipe], 1, fifo),
        (&["plan", &pipe], 3, fifo),
        (&["apply", &pipe, "--auto-approve"], 1, fifo),
        (&["show", &pipe], 1, fifo),
        (
            &["emulator", "--listen", "127.0.0.1:0", "--state", &pipe],
            1,
            fifo,
        ),
    ];
    for (args, status, says) in cases {
        let mut command = saasctl();
        command.current_dir(dir).args(args);
        let (output, took) = within_seconds(command);
        assert_eq!(
            output.status.code(),
            Some(status),
            "{args:?}: {}",
            both(&output)
        );
        assert!(both(&output).contains(says), "{args:?}: {}", both(&output));
        assert!(took < Duration::from_secs(1), "{args:?} took {took:?}");
    }
}

#[test]
fn an_env_file_target_that_is_a_fifo_refuses_its_merchant() {
    let quickstart = std::fs::read_to_string(repo().join("examples/quickstart/saasctl.yaml"))
        .expect("quickstart");
    let workspace = TestContext::offline(&quickstart);
    let dir = workspace.path();
    std::fs::create_dir(dir.join("deploy")).expect("deploy dir");
    for target in [
        "deploy/staging.env",
        "deploy/qa.env",
        "deploy/production.env",
    ] {
        if quickstart.contains(target) {
            fifo(dir, target);
        }
    }
    let mut command = saasctl();
    command.current_dir(dir).args(["plan"]);
    let (output, took) = within_seconds(command);
    assert_eq!(output.status.code(), Some(1), "{}", both(&output));
    assert!(
        both(&output).contains("it is a fifo, not a regular file"),
        "{}",
        both(&output)
    );
    assert!(took < Duration::from_secs(1), "took {took:?}");
}
