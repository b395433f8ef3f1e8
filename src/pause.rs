//! Named points of an apply where a test can stop saasctl for sure: with
//! `SAASCTL_TEST_PAUSE_AT=NAME-N`, the process writes the file `SAASCTL_TEST_PAUSE_MARKER`
//! names and waits there until it is killed, or until the test removes that file (having
//! changed the world under the paused apply). The crash tests kill it at every point, instead
//! of after a guessed delay. Unset (as for every user), a point costs one environment lookup.

use std::time::Duration;

/// The `n`-th point called `name` (`step-3`, `installation-0`).
pub fn point(name: &str, n: usize) {
    let Ok(at) = std::env::var("SAASCTL_TEST_PAUSE_AT") else {
        return;
    };
    if at != format!("{name}-{n}") {
        return;
    }
    let Some(marker) = std::env::var_os("SAASCTL_TEST_PAUSE_MARKER") else {
        loop {
            std::thread::sleep(Duration::from_secs(60));
        }
    };
    if std::fs::write(&marker, at).is_err() {
        return;
    }
    while std::path::Path::new(&marker).exists() {
        std::thread::sleep(Duration::from_millis(10));
    }
}
