//! The `mysql` target: an installation's `core_config_data` (scope `default`, scope_id 0) and
//! `store_website` in its MySQL / MariaDB database. Values are always bound parameters; only a
//! validated table prefix is put into SQL text. Errors show the URL without its password.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlSslMode};
use sqlx::{Connection, Row};

use crate::config::SecretValue;

/// How long connecting may take before the installation counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const NOT_A_URL: &str = "not a URL; if the user name or password holds one of `@ / # ? :`, percent-encode it (`@` is %40, `/` %2F, `#` %23, `?` %3F, `:` %3A)";
const RESERVED_IN_PASSWORD: &str = "something follows the host that looks like the rest of a password: percent-encode `@ / # ? :` in the user name and password (`@` is %40, `/` %2F, `#` %23, `?` %3F, `:` %3A)";

/// How long a write waits for another saasctl writing the same database.
const WRITE_LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Why a database could not be read or written. The URL is shown without its password, and
/// no value of the binding is ever part of a message.
#[derive(Debug, thiserror::Error)]
pub enum MysqlError {
    #[error(
        "the database URL is not `mysql://USER:PASSWORD@HOST:PORT/DATABASE` ({reason}); check the secret it is read from"
    )]
    BadUrl { reason: &'static str },
    #[error(
        "table_prefix `{0}` may hold only letters, digits and underscores, as Magento's db-prefix does"
    )]
    BadPrefix(String),
    #[error("cannot connect to {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot connect to {url}: no answer within {}s", CONNECT_TIMEOUT.as_secs())]
    ConnectTimeout { url: String },
    /// The user may read the binding but not write it: found before anything is sent.
    #[error(
        "{url}: the database user cannot {what} core_config_data ({source}); grant it SELECT, INSERT and UPDATE on the table; nothing was sent"
    )]
    NotWritable {
        url: String,
        what: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "{url}: another saasctl has been writing this database for {}s; run apply again when it is done",
        WRITE_LOCK_TIMEOUT.as_secs()
    )]
    Busy { url: String },
    #[error("{url}: {what} failed: {source}")]
    Query {
        url: String,
        what: &'static str,
        #[source]
        source: sqlx::Error,
    },
}

/// What an installation's database holds of the binding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    /// The stored `value` of each requested path that has a row with a non-NULL value.
    pub values: BTreeMap<String, String>,
    /// `store_website` codes, `admin` (website_id 0) excluded.
    pub websites: Vec<String>,
}

/// A Magento database, by URL (a secret) and table prefix.
pub struct MysqlTarget {
    options: MySqlConnectOptions,
    /// The URL without its password, for messages.
    shown: String,
    prefix: String,
}

impl std::fmt::Debug for MysqlTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlTarget")
            .field("url", &self.shown)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl MysqlTarget {
    /// Parses `url` (`mysql://` or `mariadb://`; `?ssl-mode=required|verify_ca|verify_identity`
    /// for TLS) and checks the prefix. Connects only when used.
    pub fn new(url: &SecretValue, table_prefix: &str) -> Result<Self, MysqlError> {
        if !table_prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(MysqlError::BadPrefix(table_prefix.to_owned()));
        }
        let bad = |reason| MysqlError::BadUrl { reason };
        let parsed = url::Url::parse(url.expose().trim()).map_err(|_| bad(NOT_A_URL))?;
        // A `#`, `/` or `?` in the password ends the URL's host part early: what follows would
        // be read as a path or a fragment, and shown.
        let after_host = [Some(parsed.path()), parsed.query(), parsed.fragment()];
        if parsed.fragment().is_some() || after_host.iter().flatten().any(|s| s.contains('@')) {
            return Err(bad(RESERVED_IN_PASSWORD));
        }
        if !matches!(parsed.scheme(), "mysql" | "mariadb") {
            return Err(bad("the scheme must be mysql:// or mariadb://"));
        }
        let host = parsed.host_str().ok_or(bad("no host"))?;
        let database = parsed.path().trim_start_matches('/');
        if database.is_empty() {
            return Err(bad("no database name"));
        }
        let decode = |s: &str| {
            percent_decode(s).ok_or(bad("a user name or password is not valid percent-encoding"))
        };
        let mut options = MySqlConnectOptions::new()
            .host(host)
            .port(parsed.port().unwrap_or(3306))
            .username(&decode(parsed.username())?)
            .database(&decode(database)?)
            .ssl_mode(MySqlSslMode::Disabled);
        if let Some(password) = parsed.password() {
            let decoded = decode(password)?;
            // The password as written in the URL and as sent: masked in any output.
            crate::diagnostic::register_secret(password);
            crate::diagnostic::register_secret(&decoded);
            options = options.password(&decoded);
        }
        for (key, value) in parsed.query_pairs() {
            if key == "ssl-mode" || key == "sslmode" {
                let mode = MySqlSslMode::from_str(&value)
                    .map_err(|_| bad("ssl-mode is not disabled, preferred, required, verify_ca or verify_identity"))?;
                options = options.ssl_mode(mode);
            }
        }
        let mut shown = parsed.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        shown.set_query(None);
        Ok(Self {
            options,
            shown: shown.to_string(),
            prefix: table_prefix.to_owned(),
        })
    }

    /// The URL without its password.
    pub fn shown_url(&self) -> &str {
        &self.shown
    }

    async fn connect(&self) -> Result<MySqlConnection, MysqlError> {
        // The URL as shown everywhere: without its password.
        tracing::trace!(url = %self.shown, "connecting to the database");
        match tokio::time::timeout(
            CONNECT_TIMEOUT,
            MySqlConnection::connect_with(&self.options),
        )
        .await
        {
            Ok(Ok(connection)) => Ok(connection),
            Ok(Err(source)) => Err(MysqlError::Connect {
                url: self.shown.clone(),
                source,
            }),
            Err(_) => Err(MysqlError::ConnectTimeout {
                url: self.shown.clone(),
            }),
        }
    }

    fn query_error(&self, what: &'static str) -> impl Fn(sqlx::Error) -> MysqlError + '_ {
        move |source| MysqlError::Query {
            url: self.shown.clone(),
            what,
            source,
        }
    }

    /// The stored value of each of `paths` that has a row with a non-NULL value.
    async fn values(
        &self,
        connection: &mut MySqlConnection,
        paths: &[String],
    ) -> Result<BTreeMap<String, String>, MysqlError> {
        let mut values = BTreeMap::new();
        if paths.is_empty() {
            return Ok(values);
        }
        let placeholders = vec!["?"; paths.len()].join(", ");
        let sql = format!(
            "SELECT path, value FROM {}core_config_data \
             WHERE scope = 'default' AND scope_id = 0 AND path IN ({placeholders})",
            self.prefix
        );
        let mut query = sqlx::query(&sql);
        for path in paths {
            query = query.bind(path);
        }
        let rows = query
            .fetch_all(&mut *connection)
            .await
            .map_err(self.query_error("reading core_config_data"))?;
        for row in rows {
            let path: String = row.try_get(0).map_err(self.query_error("reading a path"))?;
            let value: Option<String> = row
                .try_get(1)
                .map_err(self.query_error("reading a value"))?;
            if let Some(value) = value {
                values.insert(path, value);
            }
        }
        Ok(values)
    }

    /// The stored values of `paths` and the installation's website codes.
    pub async fn read(&self, paths: &[String]) -> Result<Stored, MysqlError> {
        let mut connection = self.connect().await?;
        let mut stored = Stored {
            values: self.values(&mut connection, paths).await?,
            ..Stored::default()
        };
        let sql = format!(
            "SELECT code FROM {}store_website WHERE website_id <> 0 ORDER BY website_id",
            self.prefix
        );
        for row in sqlx::query(&sql)
            .fetch_all(&mut connection)
            .await
            .map_err(self.query_error("reading store_website"))?
        {
            stored.websites.push(
                row.try_get(0)
                    .map_err(self.query_error("reading a website code"))?,
            );
        }
        let _ = connection.close().await;
        tracing::trace!(
            url = %self.shown,
            values = stored.values.len(),
            websites = stored.websites.len(),
            "read the binding's rows and store_website"
        );
        Ok(stored)
    }

    /// Whether the user may insert and update `core_config_data`, as [`Self::write`] does,
    /// without changing a row: privileges are checked before a statement runs, so statements
    /// that match no row fail exactly as a real write would.
    pub async fn check_writable(&self) -> Result<(), MysqlError> {
        let mut connection = self.connect().await?;
        let table = format!("{}core_config_data", self.prefix);
        let probes = [
            (
                "update",
                format!("UPDATE {table} SET value = value WHERE 1 = 0"),
            ),
            (
                "insert into",
                format!(
                    "INSERT INTO {table} (scope, scope_id, path, value) \
                     SELECT scope, scope_id, path, value FROM {table} WHERE 1 = 0"
                ),
            ),
        ];
        for (what, sql) in probes {
            sqlx::query(&sql)
                .execute(&mut connection)
                .await
                .map_err(|source| MysqlError::NotWritable {
                    url: self.shown.clone(),
                    what,
                    source,
                })?;
        }
        let _ = connection.close().await;
        Ok(())
    }

    /// Writes the rows (path, stored value) that `rows` picks from the current values of
    /// `paths`, read in the same locked transaction: insert or update on the unique key
    /// (scope, scope_id, path). Nothing is written unless everything is. Returns the paths
    /// written.
    pub async fn write<E: From<MysqlError>>(
        &self,
        paths: &[String],
        rows: impl FnOnce(&BTreeMap<String, String>) -> Result<Vec<(String, String)>, E>,
    ) -> Result<Vec<String>, E> {
        let mut connection = self.connect().await?;
        // One writer at a time per database (two configurations may share one): a named lock
        // the server releases with the connection, whatever ends it.
        let name = format!(
            "saasctl:{}",
            self.options.get_database().unwrap_or_default()
        );
        let locked: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, ?)")
            .bind(&name)
            .bind(WRITE_LOCK_TIMEOUT.as_secs())
            .fetch_one(&mut connection)
            .await
            .map_err(self.query_error("waiting for the write lock"))?;
        if locked != Some(1) {
            return Err(MysqlError::Busy {
                url: self.shown.clone(),
            }
            .into());
        }
        let mut transaction = connection
            .begin()
            .await
            .map_err(self.query_error("starting a transaction"))?;
        // What to write is decided on the rows as they are now, under the lock: a second
        // configuration writing this database leaves it wholly as one of them, never mixed.
        // Every saasctl writer holds the lock, so a plain read suffices.
        let current = self.values(&mut transaction, paths).await?;
        let values = rows(&current)?;
        let sql = format!(
            "INSERT INTO {}core_config_data (scope, scope_id, path, value) VALUES ('default', 0, ?, ?) \
             ON DUPLICATE KEY UPDATE value = VALUES(value)",
            self.prefix
        );
        for (path, value) in &values {
            sqlx::query(&sql)
                .bind(path)
                .bind(value)
                .execute(&mut *transaction)
                .await
                .map_err(self.query_error("writing core_config_data"))?;
        }
        transaction
            .commit()
            .await
            .map_err(self.query_error("committing"))?;
        let _ = connection.close().await;
        Ok(values.into_iter().map(|(path, _)| path).collect())
    }
}

/// `%XX` sequences decoded; `None` when one is malformed or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_shown() {
        let target = MysqlTarget::new(
            &SecretValue::new("mysql://magento:s3cr%40t@db.local:3307/m2"),
            "m2_",
        )
        .unwrap();
        assert_eq!(target.shown_url(), "mysql://magento:***@db.local:3307/m2");
        assert!(!format!("{target:?}").contains("s3cr"));
    }

    #[test]
    fn bad_urls_and_prefixes_are_refused_without_quoting_them() {
        for url in [
            "postgres://u:secretpw@h/db",
            "mysql://u:secretpw@h",
            "not a url secretpw",
            "mysql://u:sec%ZZretpw@h/db",
            "mysql://u:p@ss/w#rd:secretpw@host/db",
            "mysql://u:p/secretpw@host/db",
            "mysql://u:p@ss/secretpw@host/db",
        ] {
            let error = MysqlTarget::new(&SecretValue::new(url), "").unwrap_err();
            assert!(!error.to_string().contains("secretpw"), "{error}");
        }
        let error =
            MysqlTarget::new(&SecretValue::new("mysql://u:p@ss/w#rd:X9@host/db"), "").unwrap_err();
        assert!(error.to_string().contains("percent-encode"), "{error}");
        let encoded = MysqlTarget::new(
            &SecretValue::new("mysql://u:p%40ss%2Fw%23rd%3AX9@host/db"),
            "",
        )
        .unwrap();
        assert_eq!(encoded.shown_url(), "mysql://u:***@host/db");
        for form in ["p@ss/w#rd:X9", "p%40ss%2Fw%23rd%3AX9"] {
            let text = format!("error: {form}.");
            let masked = crate::diagnostic::redact(&text);
            assert_eq!(masked, format!("error: {}.", "*".repeat(form.len())));
        }
        assert!(matches!(
            MysqlTarget::new(&SecretValue::new("mysql://u@h/db"), "m2; DROP"),
            Err(MysqlError::BadPrefix(_))
        ));
    }
}
