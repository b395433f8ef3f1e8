//! The real `saasctl emulator` as a child process: started on a free loopback port, its URL read
//! from the line it prints, killed (and waited for) however the test ends.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use saasctl::config::{KeySetName, License};
use saasctl::emulator::portal::{self, NewAccount, RegisteredAccount};
use saasctl::keys::PrivateKey;

/// The checked-in RSA test key (tests/fixtures/keys/README.md): every test account's key.
pub const KEY_PEM: &str = include_str!("../fixtures/keys/test.pem");

/// A running `saasctl emulator`; dropping it kills the process.
pub struct EmulatorProcess {
    child: Child,
    pub url: String,
}

impl EmulatorProcess {
    /// Starts `saasctl emulator --listen 127.0.0.1:0 --state STATE` with `extra` arguments
    /// (fault flags) and waits until it listens.
    pub fn start(state: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_saasctl"))
            .args(["emulator", "--listen", "127.0.0.1:0", "--state"])
            .arg(state)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start saasctl emulator");
        let mut line = String::new();
        let read = std::io::BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line);
        let url = match (
            read,
            line.trim().strip_prefix("saasctl emulator listening on "),
        ) {
            (Ok(_), Some(url)) => url.to_owned(),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the emulator did not start: {line:?}");
            }
        };
        Self { child, url }
    }

    /// Registers [`KEY_PEM`]'s public half as a new Adobe Commerce account, as the key
    /// portal's "Add New" does; answers the account's API key and mageId.
    pub async fn register(&self) -> RegisteredAccount {
        let key = PrivateKey::from_pem(KEY_PEM).expect("the test key");
        let account = NewAccount {
            api_key: None,
            public_key: key.public_key().to_pem(),
            license: License::AdobeCommerce,
            mage_id: None,
            environment: KeySetName::Production,
        };
        portal::register(&self.url, &account)
            .await
            .expect("register an account")
    }

    /// SIGKILL: no handler runs, nothing is flushed.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for the graceful shutdown.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
