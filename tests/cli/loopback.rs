//! Servers the tests start on free loopback ports: a process that prints its port on its first
//! line, stopped when dropped; and the fakes of web APIs built on it.

use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::common::{both, repo};

pub struct Server {
    child: Child,
    pub port: String,
}

impl Server {
    /// Starts `command` and reads the port it prints.
    pub fn start(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {command:?}: {e}"));
        let mut port = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().expect("stdout")),
            &mut port,
        )
        .expect("read the server's port");
        let port = port.trim().to_owned();
        assert!(port.parse::<u16>().is_ok(), "{command:?} printed no port");
        Self { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fake of a web API: `tests/cli/<script>` taking the one token it accepts, which the test
/// reads through `GET /_state` (with every request it did not know, under `unknown`) and seeds
/// through `POST /_seed`.
pub struct FakeApi {
    server: Server,
}

impl FakeApi {
    pub fn start(script: &str, token: &str) -> Self {
        let mut command = Command::new("python3");
        command
            .arg(repo().join("tests/cli").join(script))
            .arg(token);
        Self {
            server: Server::start(command),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port)
    }

    pub fn state(&self) -> Value {
        let output = Command::new("curl")
            .args(["--fail", "--silent"])
            .arg(format!("{}/_state", self.url()))
            .output()
            .expect("run curl");
        assert!(output.status.success(), "{}", both(&output));
        serde_json::from_slice(&output.stdout).expect("state JSON")
    }

    pub fn seed(&self, seed: &Value) {
        let output = Command::new("curl")
            .args([
                "--fail",
                "--silent",
                "--header",
                "Content-Type: application/json",
            ])
            .arg("--data")
            .arg(seed.to_string())
            .arg(format!("{}/_seed", self.url()))
            .output()
            .expect("run curl");
        assert!(output.status.success(), "{}", both(&output));
    }
}
