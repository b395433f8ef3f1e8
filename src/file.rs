//! Files saasctl writes: whole-file writes that readers never see half done and that are
//! private from the first byte, and I/O errors described without library internals.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Creates `dir` (and its parents) for secrets or state. A directory this creates gets a
/// `.gitignore` of `*`, as Python's venv and uv do, so what saasctl keeps there never reaches
/// git by default; an existing directory is left as it is.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(|e| dangling_link(dir).unwrap_or(e))?;
    write_private(
        &dir.join(".gitignore"),
        b"# Created by saasctl: keys and state stay out of git.\n*\n",
    )
}

/// Why a directory cannot be made along `dir`, when one of its ancestors is a symbolic link
/// to nothing: the operating system only says "File exists".
fn dangling_link(dir: &Path) -> Option<io::Error> {
    dir.ancestors().find_map(|ancestor| {
        let is_link = fs::symlink_metadata(ancestor).is_ok_and(|m| m.file_type().is_symlink());
        let target = fs::read_link(ancestor).ok()?;
        (is_link && fs::metadata(ancestor).is_err()).then(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "{} is a symbolic link to {}, which does not exist",
                    ancestor.display(),
                    target.display()
                ),
            )
        })
    })
}

/// An advisory lock on a file, held until dropped: two saasctl processes never change the
/// same state at once.
#[derive(Debug)]
pub struct Lock {
    _file: fs::File,
}

/// Takes the exclusive lock on `path` (created if missing), or `None` when another process
/// holds it. Never waits.
pub fn try_lock(path: &Path) -> io::Result<Option<Lock>> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Lock { _file: file })),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Opens `path` (through symbolic links) for reading only if it is a regular file: opened
/// without waiting (a fifo never blocks the open), then checked on the open handle, so what is
/// checked is what is read.
pub fn open_regular(path: &Path) -> io::Result<fs::File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    let kind = file.metadata()?.file_type();
    if kind.is_file() {
        return Ok(file);
    }
    let what = if kind.is_dir() {
        "a directory"
    } else {
        special_kind(&kind)
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {what}, not a regular file"),
    ))
}

#[cfg(unix)]
fn special_kind(kind: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a fifo"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::FileType) -> &'static str {
    "a special file"
}

/// The most a plan file or a state file may hold: thousands of merchants fit.
pub const MAX_DATA_BYTES: u64 = 64 << 20;

/// Reads the regular file at `path` whole, refusing it (unread) when it holds more than
/// `limit` bytes: a device or a fifo never blocks or fills memory, and a huge file is never
/// held.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let file = open_regular(path)?;
    let size = file.metadata()?.len();
    let too_large = |size: u64| {
        io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("it holds {size} bytes, more than the {limit} saasctl reads"),
        )
    };
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // It may grow while read: never past the limit.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read_regular`] as UTF-8 text.
pub fn read_regular_text(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read_regular(path, limit)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

/// Takes the exclusive lock on the existing file `path` itself (opened for reading: nothing is
/// written, no lock file is left beside it), waiting up to `timeout` for another process to
/// release it. `Err(Busy)` names the holder's process id where the system tells it.
pub fn lock_existing(path: &Path, timeout: std::time::Duration) -> Result<Lock, LockError> {
    let opened = if path.is_dir() {
        fs::File::open(path)
    } else {
        open_regular(path)
    };
    let file = opened.map_err(|e| LockError::Io {
        path: path.display().to_string(),
        reason: io_reason(&e),
    })?;
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Lock { _file: file }),
            Err(fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(LockError::Busy {
                    path: path.display().to_string(),
                    holder: lock_holder(&file),
                });
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(LockError::Io {
                    path: path.display().to_string(),
                    reason: io_reason(&e),
                });
            }
        }
    }
}

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "{path} is locked by another saasctl apply{}; applies of one configuration run one at a time: wait for it, or pass --lock-timeout SECONDS to wait",
        .holder.map(|pid| format!(" (process {pid})")).unwrap_or_default()
    )]
    Busy { path: String, holder: Option<u32> },
    #[error("cannot lock {path}: {reason}")]
    Io { path: String, reason: String },
}

/// The process holding a lock on `file`, from Linux's `/proc/locks` (`… FLOCK ADVISORY WRITE
/// PID MAJOR:MINOR:INODE …`); none elsewhere.
fn lock_holder(file: &fs::File) -> Option<u32> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let inode = file.metadata().ok()?.ino();
        let locks = fs::read_to_string("/proc/locks").ok()?;
        locks.lines().find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (pid, id) = (fields.get(4)?, fields.get(5)?);
            let locked_inode: u64 = id.rsplit(':').next()?.parse().ok()?;
            (locked_inode == inode).then(|| pid.parse().ok()).flatten()
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

/// Writes `contents` to `path` through a temporary file in the same directory (mode 0600 on
/// Unix, set at creation), synced, then renamed over `path`: the file is either the old or the
/// new whole content, and never world-readable.
pub fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let target = regular_target(path)?;
    replace_file(&target, contents, None)
}

/// Where a write to `path` lands: `path` itself, or through a symlink its final target, which
/// stays a link. Anything but a regular file (a device, a fifo, a directory) is refused: a
/// rename over it would replace it.
fn regular_target(path: &Path) -> io::Result<std::path::PathBuf> {
    let refuse = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file; saasctl writes only regular files",
        )
    };
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(path.to_path_buf()),
        Err(e) => Err(e),
        Ok(meta) if meta.is_file() => Ok(path.to_path_buf()),
        Ok(meta) if meta.file_type().is_symlink() => {
            let resolved = fs::canonicalize(path)?;
            if fs::metadata(&resolved)?.is_file() {
                Ok(resolved)
            } else {
                Err(refuse())
            }
        }
        Ok(_) => Err(refuse()),
    }
}

/// Replaces the regular file `path` by renaming a complete temporary file over it: mode 0600,
/// or `permissions`, set before the rename so the file never has any other.
fn replace_file(
    path: &Path,
    contents: &[u8],
    permissions: Option<fs::Permissions>,
) -> io::Result<()> {
    let (dir, tmp) = write_temp(path, contents, 0o600)?;
    let result = (|| {
        if let Some(permissions) = permissions {
            fs::set_permissions(&tmp, permissions)?;
        }
        fs::rename(&tmp, path)?;
        // The rename itself survives a crash only once the directory is synced.
        #[cfg(unix)]
        fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Replaces the regular file `path` (or a symlink's target) as [`write_private`] does, but with
/// the permissions it had: for files people keep in git, not secrets.
pub fn replace_keeping_mode(path: &Path, contents: &[u8]) -> io::Result<()> {
    let target = regular_target(path)?;
    let permissions = fs::metadata(&target)?.permissions();
    replace_file(&target, contents, Some(permissions))
}

/// Creates `path` with `contents` whole (mode 0644 less the umask), or fails with
/// `AlreadyExists` when anything is there: the complete temporary file is linked into place,
/// which never replaces an existing file, even one created a moment before.
pub fn create_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let (dir, tmp) = write_temp(path, contents, 0o644)?;
    let result = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    result?;
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// The prefix of the temporary files of `name`: `.NAME.` then `PID-N.tmp`.
fn temp_prefix(name: &std::ffi::OsStr) -> String {
    format!(".{}.", name.to_string_lossy())
}

/// A synced temporary file with `contents` beside `path`, created with `mode`: its directory
/// and its path. Its contents have no name until they are whole: on Linux the file is made
/// unnamed (`O_TMPFILE`) and linked in only once written and synced, so a crash while writing
/// leaves nothing behind; elsewhere (or where the file system cannot) it is named so that the
/// next write of the same target removes it when its process is gone.
fn write_temp<'a>(
    path: &'a Path,
    contents: &[u8],
    mode: u32,
) -> io::Result<(&'a Path, std::path::PathBuf)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    remove_stale_temps(dir, name);
    let tmp = dir.join(format!(
        "{}{}-{}.tmp",
        temp_prefix(name),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    #[cfg(target_os = "linux")]
    if let Some(file) = unnamed(dir, contents, mode)? {
        crate::pause::point("write", WRITES.fetch_add(1, Ordering::Relaxed));
        if link_unnamed(&file, &tmp).is_ok() {
            return Ok((dir, tmp));
        }
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()
    })();
    #[cfg(not(target_os = "linux"))]
    crate::pause::point("write", WRITES.fetch_add(1, Ordering::Relaxed));
    match result {
        Ok(()) => Ok((dir, tmp)),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Writes so far, for the test-only pause points (`write-N`).
static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// `contents` in an unnamed file of `dir`, synced; `None` where the file system cannot make one.
#[cfg(target_os = "linux")]
fn unnamed(dir: &Path, contents: &[u8], mode: u32) -> io::Result<Option<fs::File>> {
    use std::os::unix::fs::OpenOptionsExt;
    let opened = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_TMPFILE)
        .mode(mode)
        .open(dir);
    let mut file = match opened {
        Ok(file) => file,
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL)
            ) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    file.write_all(contents)?;
    file.sync_all()?;
    Ok(Some(file))
}

/// Gives the unnamed `file` the name `to`, through `/proc/self/fd` (which needs no privilege,
/// unlike `AT_EMPTY_PATH`).
#[cfg(target_os = "linux")]
fn link_unnamed(file: &fs::File, to: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::AsRawFd;
    let from = std::ffi::CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))
        .map_err(io::Error::other)?;
    let to = std::ffi::CString::new(to.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: both are NUL-terminated paths that outlive the call.
    let linked = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if linked == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Removes the temporary files of `name` in `dir` that a process no longer running left
/// (killed between naming and renaming them); another live writer's are kept.
fn remove_stale_temps(dir: &Path, name: &std::ffi::OsStr) {
    let prefix = temp_prefix(name);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, n)| n.parse::<u64>().ok().and(pid.parse::<u32>().ok()))
        else {
            continue;
        };
        if !process_alive(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` exists (a signal 0 reaches it, or it is another user's).
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 checks for the process; nothing is sent.
        let sent = unsafe { libc::kill(pid, 0) };
        sent == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// An I/O error's reason without the OS error number noise.
pub fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        // A message of saasctl's own says more than the kind.
        _ if error.get_ref().is_some() => error.to_string(),
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::InvalidData => "not valid UTF-8 text".to_owned(),
        _ => error.to_string(),
    }
}

/// A file of secrets aimed into a git work tree that git does not ignore: one `git add -A`
/// from a committed key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotIgnored {
    /// The work tree's root.
    pub root: std::path::PathBuf,
    /// The `.gitignore` line that ignores the file: its path from the root.
    pub line: String,
}

/// Whether a file of secrets at `path` would be exposed to git: inside a work tree and not
/// ignored (a tracked file is not ignored). A directory that does not exist yet is fine: saasctl
/// creates it with its own `.gitignore`. Asks `git check-ignore`, which knows every rule
/// (nested `.gitignore`s, `info/exclude`, the global excludes); without git, reads the
/// directory's `.gitignore` and accepts only a `*` or the file's own name there.
pub fn git_exposure(path: &Path) -> Option<NotIgnored> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty())?;
    let dir = fs::canonicalize(dir).ok()?;
    let root = dir
        .ancestors()
        .find(|a| a.join(".git").exists())?
        .to_owned();
    let name = path.file_name()?;
    let file = dir.join(name);
    let line = format!("/{}", file.strip_prefix(&root).ok()?.display());
    let asked = std::process::Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(["check-ignore", "-q", "--"])
        .arg(name)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let ignored = match asked.ok().and_then(|status| status.code()) {
        Some(0) => true,
        Some(1) => false,
        // No git, or git cannot tell (not a work tree after all, a broken repository).
        _ => ignored_by_own_gitignore(&dir, &name.to_string_lossy()),
    };
    (!ignored).then_some(NotIgnored { root, line })
}

/// The last rule of `dir/.gitignore` that names `name` (or `*`) ignores it.
fn ignored_by_own_gitignore(dir: &Path, name: &str) -> bool {
    let rules = fs::read_to_string(dir.join(".gitignore")).unwrap_or_default();
    let mut ignored = false;
    for rule in rules.lines().map(str::trim_end) {
        let (negated, pattern) = match rule.strip_prefix('!') {
            Some(pattern) => (true, pattern),
            None => (false, rule),
        };
        let pattern = pattern.strip_prefix('/').unwrap_or(pattern);
        if pattern == "*" || pattern == name {
            ignored = !negated;
        }
    }
    ignored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_removes_the_temporary_files_of_dead_writers_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let stale = dir.path().join(format!(".staging.env.{dead}-0.tmp"));
        let live = dir
            .path()
            .join(format!(".staging.env.{}-999.tmp", std::process::id()));
        let other = dir.path().join(format!(".other.env.{dead}-0.tmp"));
        for path in [&stale, &live, &other] {
            std::fs::write(path, "KEY=secret").unwrap();
        }
        write_private(&dir.path().join("staging.env"), b"KEY=new\n").unwrap();
        assert!(!stale.exists(), "a dead writer's file was kept");
        assert!(live.exists(), "a live writer's file was removed");
        assert!(other.exists(), "another target's file was removed");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("staging.env")).unwrap(),
            "KEY=new\n"
        );
    }

    #[test]
    fn without_git_only_a_star_or_the_name_in_the_directory_ignores() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("", false),
            ("*\n", true),
            ("staging.env\n", true),
            ("/staging.env\n", true),
            ("*\n!staging.env\n", false),
            ("other.env\n*.env\n", false),
        ];
        for (rules, ignored) in cases {
            std::fs::write(dir.path().join(".gitignore"), rules).unwrap();
            assert_eq!(
                ignored_by_own_gitignore(dir.path(), "staging.env"),
                ignored,
                "{rules:?}"
            );
        }
    }

    #[test]
    fn special_files_are_refused_without_blocking_and_large_ones_unread() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let started = std::time::Instant::now();
        for (path, what) in [
            (
                Path::new("/dev/zero"),
                "it is a character device, not a regular file",
            ),
            (fifo.as_path(), "it is a fifo, not a regular file"),
            (dir.path(), "it is a directory, not a regular file"),
        ] {
            let refused = read_regular(path, 1024).unwrap_err();
            assert_eq!(refused.to_string(), what);
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        let big = dir.path().join("big");
        fs::write(&big, vec![b'a'; 2048]).unwrap();
        assert_eq!(
            read_regular(&big, 1024).unwrap_err().to_string(),
            "it holds 2048 bytes, more than the 1024 saasctl reads"
        );
        assert_eq!(read_regular(&big, 4096).unwrap().len(), 2048);
    }

    #[test]
    fn a_locked_file_is_refused_naming_its_holder_then_taken_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saasctl.yaml");
        fs::write(&path, "version: 1\n").unwrap();
        let held = lock_existing(&path, std::time::Duration::ZERO).unwrap();
        let refused = lock_existing(&path, std::time::Duration::from_millis(120)).unwrap_err();
        let message = refused.to_string();
        assert!(
            message.contains("is locked by another saasctl apply"),
            "{message}"
        );
        #[cfg(target_os = "linux")]
        assert!(
            message.contains(&format!("(process {})", std::process::id())),
            "{message}"
        );
        // A waiter gets it as soon as the holder lets go.
        let waiter = std::thread::spawn({
            let path = path.clone();
            move || lock_existing(&path, std::time::Duration::from_secs(10)).map(drop)
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        drop(held);
        waiter.join().unwrap().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "version: 1\n");
    }

    #[test]
    fn replaces_whole_file_privately() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_private(&path, b"one").unwrap();
        write_private(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode_and_a_new_file_never_replaces_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saasctl.yaml");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        replace_keeping_mode(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );

        let err = create_new(&path, b"other").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).unwrap(), b"new");
        let fresh = dir.path().join("fresh.yaml");
        create_new(&fresh, b"made").unwrap();
        assert_eq!(fs::read(&fresh).unwrap(), b"made");
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_stays_a_link_and_non_regular_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        fs::write(&target, b"old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_private(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&target).unwrap(), b"new");

        let to_dir = dir.path().join("to-dir");
        std::os::unix::fs::symlink(dir.path(), &to_dir).unwrap();
        assert!(write_private(&to_dir, b"x").is_err());
        assert!(write_private(dir.path(), b"x").is_err());
        assert!(write_private(Path::new("/dev/null"), b"x").is_err());
    }
}
