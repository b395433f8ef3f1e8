//! A real MariaDB for the tests (Debian's `mariadb-server`, installed when missing): one
//! server per test binary, in a temporary data directory, on a private socket and a free
//! loopback port, with a password user; a database per test with Magento's `core_config_data`
//! and `store_website`. A watchdog shell stops the server when the test binary exits.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::apt;

/// The password user's credentials: tests assert that the password is never printed.
pub const USER: &str = "saasctl";
pub const PASSWORD: &str = "Pw-7f3c9a1e-never-printed";

pub struct MariaDb {
    dir: PathBuf,
    pub port: u16,
}

/// The server of this test binary, started on first use.
pub fn server() -> &'static MariaDb {
    static SERVER: OnceLock<MariaDb> = OnceLock::new();
    SERVER.get_or_init(MariaDb::start)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl MariaDb {
    fn start() -> Self {
        apt::ensure("mariadbd", "mariadb-server");
        apt::ensure("mariadb-install-db", "mariadb-server");
        apt::ensure("mariadb", "mariadb-client");
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let dir = base.join(format!("mariadb-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mariadb dir");
        let data = dir.join("data");
        let installed = Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args([
                "--user=root",
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
            ])
            .output()
            .expect("run mariadb-install-db");
        // Its output is noise when it works and the only clue when it does not.
        assert!(
            installed.status.success(),
            "mariadb-install-db failed ({}):\n{}{}",
            installed.status,
            String::from_utf8_lossy(&installed.stdout),
            String::from_utf8_lossy(&installed.stderr)
        );
        let port = free_port();
        let socket = dir.join("mysqld.sock");
        let server = format!(
            "mariadbd --no-defaults --datadir={data} --socket={socket} --port={port} \
             --bind-address=127.0.0.1 --user=root --skip-log-bin --innodb-buffer-pool-size=16M \
             --innodb-log-file-size=8M --skip-name-resolve --pid-file={dir}/mysqld.pid",
            data = data.display(),
            socket = socket.display(),
            dir = dir.display(),
        );
        // The watchdog lives as long as this process: then it stops the server and cleans up.
        let watchdog = format!(
            "{server} >{dir}/mysqld.log 2>&1 & server=$!; \
             while kill -0 {parent} 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 0.3; done; \
             kill $server 2>/dev/null; wait $server; rm -rf {dir}",
            dir = dir.display(),
            parent = std::process::id(),
        );
        // Not waited for on purpose: the watchdog outlives this process to stop the server.
        #[allow(clippy::zombie_processes)]
        Command::new("sh")
            .args(["-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mariadbd");
        let server = MariaDb { dir, port };
        let started = Instant::now();
        while server
            .root_sql("SELECT 1")
            .map(|out| !out.contains('1'))
            .unwrap_or(true)
        {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "mariadbd did not start: {}",
                std::fs::read_to_string(server.dir.join("mysqld.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        server
            .root_sql(&format!(
                "CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'; \
                 GRANT ALL ON *.* TO '{USER}'@'127.0.0.1';"
            ))
            .expect("create user");
        server
    }

    fn socket(&self) -> PathBuf {
        self.dir.join("mysqld.sock")
    }

    /// The `mariadb` client as root over the socket, printing tab-separated rows without
    /// headers.
    pub fn root_client(&self) -> Command {
        let mut command = Command::new("mariadb");
        command
            .arg("--no-defaults")
            .arg(format!("--socket={}", self.socket().display()))
            .args(["-uroot", "-N", "-B"]);
        command
    }

    /// Runs SQL as root over the socket; the output, tab-separated, without headers.
    pub fn root_sql(&self, sql: &str) -> Result<String, String> {
        let output = self
            .root_client()
            .args(["-e", sql])
            .output()
            .map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    /// A new database with Magento's tables (under `prefix`) and its two default websites;
    /// returns its URL, password included.
    pub fn database(&self, prefix: &str) -> Database {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("magento_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        self.root_sql(&format!(
            "CREATE DATABASE {name}; USE {name}; SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'; \
             CREATE TABLE {prefix}core_config_data ( \
               config_id int unsigned NOT NULL AUTO_INCREMENT, \
               scope varchar(8) NOT NULL DEFAULT 'default', \
               scope_id int NOT NULL DEFAULT 0, \
               path varchar(255) NOT NULL DEFAULT 'general', \
               value text, \
               updated_at timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(), \
               PRIMARY KEY (config_id), \
               UNIQUE KEY {prefix}CORE_CONFIG_DATA_SCOPE_SCOPE_ID_PATH (scope, scope_id, path) \
             ) ENGINE=InnoDB COMMENT='Config Data'; \
             CREATE TABLE {prefix}store_website ( \
               website_id smallint unsigned NOT NULL AUTO_INCREMENT, \
               code varchar(32) DEFAULT NULL, \
               name varchar(64) DEFAULT NULL, \
               sort_order smallint unsigned NOT NULL DEFAULT 0, \
               default_group_id smallint unsigned NOT NULL DEFAULT 0, \
               is_default smallint unsigned DEFAULT 0, \
               PRIMARY KEY (website_id), \
               UNIQUE KEY {prefix}STORE_WEBSITE_CODE (code) \
             ) ENGINE=InnoDB COMMENT='Websites'; \
             INSERT INTO {prefix}store_website VALUES (0, 'admin', 'Admin', 0, 0, 0), \
               (1, 'base', 'Main Website', 0, 1, 1);"
        ))
        .expect("create Magento tables");
        Database {
            name,
            prefix: prefix.to_owned(),
            url: format!("mysql://{USER}:{PASSWORD}@127.0.0.1:{}/", self.port),
        }
    }
}

/// One test's Magento database.
pub struct Database {
    pub name: String,
    pub prefix: String,
    url: String,
}

impl Database {
    pub fn url(&self) -> String {
        format!("{}{}", self.url, self.name)
    }

    /// Runs SQL in this database as root.
    pub fn sql(&self, sql: &str) -> String {
        server()
            .root_sql(&format!("USE {}; {sql}", self.name))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The stored value of `path` at the default scope.
    pub fn value(&self, path: &str) -> Option<String> {
        let out = self.sql(&format!(
            "SELECT value FROM {}core_config_data WHERE scope = 'default' AND scope_id = 0 AND path = '{path}'",
            self.prefix
        ));
        out.lines().next().map(str::to_owned)
    }

    pub fn add_website(&self, code: &str) {
        self.sql(&format!(
            "INSERT INTO {}store_website (code, name) VALUES ('{code}', '{code}')",
            self.prefix
        ));
    }

    /// Inserts `path` with `value`, then has a second client hold that row's lock inside an
    /// open transaction: a writer of the binding waits there, mid-transaction.
    pub fn lock_row(&self, path: &str, value: &str) -> RowLock {
        use std::io::{BufRead, Write};
        self.sql(&format!(
            "INSERT INTO {}core_config_data (path, value) VALUES ('{path}', '{value}')",
            self.prefix
        ));
        let mut child = server()
            .root_client()
            .arg("--unbuffered")
            .arg(&self.name)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the lock holder");
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(
            stdin,
            "SELECT CONNECTION_ID(); BEGIN; SELECT value FROM {}core_config_data \
             WHERE path = '{path}' FOR UPDATE;",
            self.prefix
        )
        .expect("send to the lock holder");
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        let connection = lines.next().and_then(Result::ok).expect("connection id");
        let held = lines.next().and_then(Result::ok);
        assert_eq!(held.as_deref(), Some(value), "the row is locked");
        RowLock {
            child,
            _stdin: stdin,
            connection,
        }
    }

    /// Has a second client hold the named lock saasctl takes to write this database
    /// (`GET_LOCK('saasctl:DATABASE')`), as another saasctl writing it would.
    pub fn hold_write_lock(&self) -> RowLock {
        use std::io::{BufRead, Write};
        let mut child = server()
            .root_client()
            .arg("--unbuffered")
            .arg(&self.name)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the lock holder");
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(
            stdin,
            "SELECT CONNECTION_ID(); SELECT GET_LOCK('saasctl:{}', 10);",
            self.name
        )
        .expect("send to the lock holder");
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        let connection = lines.next().and_then(Result::ok).expect("connection id");
        let held = lines.next().and_then(Result::ok);
        assert_eq!(held.as_deref(), Some("1"), "the lock is held");
        RowLock {
            child,
            _stdin: stdin,
            connection,
        }
    }

    /// Whether a saasctl connection is waiting for this database's write lock.
    pub fn writer_waits_for_the_lock(&self) -> bool {
        !self
            .sql(&format!(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '{USER}' \
                 AND DB = '{}' AND INFO LIKE 'SELECT GET_LOCK%'",
                self.name
            ))
            .trim()
            .is_empty()
    }

    /// The connection id of saasctl's `INSERT INTO core_config_data`, once one is running
    /// (waiting on a [`RowLock`]).
    pub fn waiting_writer(&self) -> String {
        let started = Instant::now();
        loop {
            let id = self.sql(&format!(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '{USER}' \
                 AND DB = '{}' AND INFO LIKE 'INSERT INTO {}core_config_data%'",
                self.name, self.prefix
            ));
            if let Some(id) = id.lines().next() {
                return id.to_owned();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "saasctl never reached the locked row"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A row lock held by a second client; dropping it ends that client's connection (its
/// transaction rolls back) and the client.
pub struct RowLock {
    child: std::process::Child,
    _stdin: std::process::ChildStdin,
    connection: String,
}

impl Drop for RowLock {
    fn drop(&mut self) {
        let _ = server().root_sql(&format!("KILL {}", self.connection));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
