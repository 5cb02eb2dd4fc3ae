//! Reading the user's files, in one place: catalogs, the gate's policy, scanned sources, a local
//! model's `config.json` and safetensors index.
//!
//! A path on the command line or in an environment variable may name anything: a FIFO that blocks
//! the reader until someone writes, `/dev/zero` behind a symlink, a `/proc` file whose size reads
//! 0, a folder, a folder holding a symlink to itself. So every read here
//!
//! - resolves symlinks and accepts only a regular file, and says what the path is otherwise;
//! - has a size limit per kind of input, checked before reading and enforced while reading
//!   (`Read::take(limit + 1)`), because a reported size can lie;
//! - names the path and the kind of file in its error.
//!
//! Folder walks (`walk`) list regular files only, skip FIFOs, devices and sockets, and never enter
//! a symlinked folder, so a symlink cycle cannot make them loop; they also remember the folders
//! they entered (by device and inode), against bind-mount loops.

use std::collections::HashSet;
use std::fmt;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

const MIB: u64 = 1024 * 1024;

/// What a file is for; sets its size limit and the words of error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A user catalog file (`--catalog`, `PICK_CATALOG`).
    Catalog,
    /// A catalog compiled by `pick catalog compile`: binary, checked when compiled, and the form
    /// meant for catalogs too large to keep as TOML (100,000 models take about 110 MB).
    CompiledCatalog,
    /// The gate's policy (`pick.toml`, `--policy`).
    Policy,
    /// A local model's `config.json`.
    ModelConfig,
    /// A local model's `model.safetensors.index.json`.
    SafetensorsIndex,
    /// A file `pick gate --scan` looks through.
    Scanned,
    /// A Hugging Face repository's README.md (model card) or LICENSE file.
    RepoText,
    /// `pick.lock`.
    Lock,
    /// A small file of the Hugging Face cache's bookkeeping (`refs/main`).
    CacheRef,
}

impl Kind {
    /// The most this kind of file may hold. The embedded catalog is under 1 MiB and a policy listing
    /// every model of it a few KiB, so these limits leave room for generous inputs while keeping
    /// memory bounded; scanned files above 4 MiB are generated or data, not code that names a model.
    pub const fn limit(self) -> u64 {
        match self {
            Kind::Catalog => 64 * MIB,
            Kind::CompiledCatalog => 1024 * MIB,
            Kind::Policy | Kind::ModelConfig | Kind::SafetensorsIndex => 16 * MIB,
            Kind::Scanned => 4 * MIB,
            // Cards and license texts are a few KiB to a few hundred; a lock lists a project's models.
            Kind::RepoText => 4 * MIB,
            Kind::Lock => 16 * MIB,
            Kind::CacheRef => MIB,
        }
    }

    /// How messages name a file of this kind.
    pub const fn noun(self) -> &'static str {
        match self {
            Kind::Catalog => "catalog file",
            Kind::CompiledCatalog => "compiled catalog",
            Kind::Policy => "policy file",
            Kind::ModelConfig => "model config",
            Kind::SafetensorsIndex => "safetensors index",
            Kind::Scanned => "scanned file",
            Kind::RepoText => "repository file",
            Kind::Lock => "lock file",
            Kind::CacheRef => "Hugging Face cache ref",
        }
    }
}

/// Why a file was not read. Each message names the path and says what to do.
#[derive(Debug)]
pub enum InputError {
    /// Missing, unreadable (permissions) or failing while read.
    Io {
        kind: Kind,
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not a regular file: `what` says what it is (after following symlinks).
    NotAFile {
        kind: Kind,
        path: PathBuf,
        what: &'static str,
        /// The file a symlink resolved to, when `path` is one.
        target: Option<PathBuf>,
    },
    /// Larger than `kind.limit()`.
    TooLarge { kind: Kind, path: PathBuf },
    /// Not UTF-8 text.
    NotText { kind: Kind, path: PathBuf },
}

impl InputError {
    /// The same error told of a `kind` file: a path opened as one kind it may be (a `--catalog`
    /// file, TOML or compiled) is reported as what the user gave (a catalog). A size error keeps
    /// its kind: the limit it names is the one applied.
    pub fn told_as(self, kind: Kind) -> InputError {
        match self {
            InputError::Io { path, source, .. } => InputError::Io { kind, path, source },
            InputError::NotAFile {
                path, what, target, ..
            } => InputError::NotAFile {
                kind,
                path,
                what,
                target,
            },
            InputError::NotText { path, .. } => InputError::NotText { kind, path },
            too_large @ InputError::TooLarge { .. } => too_large,
        }
    }

    /// True when the path does not exist (callers add hints such as "create pick.toml").
    pub fn is_not_found(&self) -> bool {
        matches!(self, InputError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Io { kind, path, source } => {
                write!(f, "cannot read the {} {}: {source}", kind.noun(), path.display())
            }
            InputError::NotAFile {
                kind,
                path,
                what,
                target,
            } => {
                write!(f, "the {} {} is ", kind.noun(), path.display())?;
                if let Some(t) = target {
                    write!(f, "a symlink to {}, which is ", t.display())?;
                }
                let hint = if *kind == Kind::Catalog {
                    "give a .toml file or a folder of them"
                } else {
                    "give the path of a regular file"
                };
                write!(f, "{what}, not a regular file; {hint}")
            }
            InputError::TooLarge { kind, path } => write!(
                f,
                "the {} {} is larger than {} MiB, the most pick reads from a {}; check that it is the right file{}",
                kind.noun(),
                path.display(),
                kind.limit() / MIB,
                kind.noun(),
                if *kind == Kind::Catalog { " or split it into several files" } else { "" }
            ),
            InputError::NotText { kind, path } => write!(
                f,
                "the {} {} is not UTF-8 text; give a text file",
                kind.noun(),
                path.display()
            ),
        }
    }
}

// No `source()`: the message already ends with the I/O error, and anyhow's `{:#}` would repeat it.
impl std::error::Error for InputError {}

/// What a non-regular file is, in words.
pub(crate) fn describe(meta: &Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        return "a folder";
    }
    if ft.is_symlink() {
        return "a symlink";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Checks that `path` resolves to a regular file no larger than the limit, without opening it
/// (opening a FIFO blocks until a writer comes).
pub fn check(path: &Path, kind: Kind) -> Result<Metadata, InputError> {
    let io = |source| InputError::Io {
        kind,
        path: path.to_path_buf(),
        source,
    };
    // `metadata` follows symlinks; `symlink_metadata` tells whether there was one to follow.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        let linked = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        return Err(InputError::NotAFile {
            kind,
            path: path.to_path_buf(),
            what: describe(&meta),
            target: if linked {
                std::fs::canonicalize(path).ok()
            } else {
                None
            },
        });
    }
    if meta.len() > kind.limit() {
        return Err(InputError::TooLarge {
            kind,
            path: path.to_path_buf(),
        });
    }
    Ok(meta)
}

/// Opens a regular file of at most `kind.limit()` bytes: the file, and the metadata of what was
/// opened (its size is a hint: 0 for /proc files, and a file may still grow).
fn open_checked(path: &Path, kind: Kind) -> Result<(File, Metadata), InputError> {
    let io = |source| InputError::Io {
        kind,
        path: path.to_path_buf(),
        source,
    };
    check(path, kind)?;
    let file = File::open(path).map_err(io)?;
    // The path may have been swapped between the check and the open: check what was opened.
    let opened = file.metadata().map_err(io)?;
    if !opened.is_file() {
        return Err(InputError::NotAFile {
            kind,
            path: path.to_path_buf(),
            what: describe(&opened),
            target: None,
        });
    }
    Ok((file, opened))
}

/// Reads from an opened file up to `kind.limit()` bytes (more is an error).
fn read_opened(
    file: File,
    meta: &Metadata,
    path: &Path,
    kind: Kind,
) -> Result<Vec<u8>, InputError> {
    let limit = kind.limit();
    // The size is a hint (0 for /proc files): reserve from it, but let `take` enforce the limit.
    let hint = usize::try_from(meta.len().min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(hint);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| InputError::Io {
            kind,
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            kind,
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

/// Reads a regular file of at most `kind.limit()` bytes.
pub fn read_bytes(path: &Path, kind: Kind) -> Result<Vec<u8>, InputError> {
    let (file, meta) = open_checked(path, kind)?;
    read_opened(file, &meta, path, kind)
}

/// A file's bytes: mapped into memory, or read where a mapping cannot be made.
pub enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Read(v) => v,
        }
    }
}

impl FileBytes {
    /// The bytes, kept for the rest of the process (what is decoded from them may borrow them).
    pub fn leak(self) -> &'static [u8] {
        match self {
            FileBytes::Mapped(m) => Box::leak(Box::new(m)),
            FileBytes::Read(v) => v.leak(),
        }
    }
}

/// A regular file of at most `kind.limit()` bytes, memory-mapped when it is 1 MiB or more: a large
/// catalog is then paged in by the kernel as it is read rather than copied into a buffer first (a
/// tenth of loading 100,000 models). A smaller or unmappable file (a /proc file) is read instead.
pub fn map_bytes(path: &Path, kind: Kind) -> Result<FileBytes, InputError> {
    let (file, meta) = open_checked(path, kind)?;
    let len = meta.len();
    if len > kind.limit() {
        return Err(InputError::TooLarge {
            kind,
            path: path.to_path_buf(),
        });
    }
    // Small files are read: copying them costs little, and a file an editor rewrites in place
    // while pick runs cannot end it with SIGBUS (see below).
    const MAPPED_FROM: u64 = 1 << 20;
    if len >= MAPPED_FROM {
        // SAFETY: the mapping is private and read-only. Its contents change only if another
        // process writes the file in place while pick runs (then a truncation ends pick with
        // SIGBUS); pick itself replaces files by renaming a new one over them, which leaves a
        // mapping of the old file intact.
        if let Ok(map) = unsafe { memmap2::MmapOptions::new().populate().map(&file) } {
            return Ok(FileBytes::Mapped(map));
        }
    }
    read_opened(file, &meta, path, kind).map(FileBytes::Read)
}

/// The contents of a UTF-8 text file, memory-mapped (or read: see `map_bytes`).
pub struct TextFile(FileBytes);

impl TextFile {
    /// The bytes as text, if they are UTF-8.
    pub fn new(bytes: FileBytes) -> Option<TextFile> {
        std::str::from_utf8(&bytes)
            .is_ok()
            .then_some(TextFile(bytes))
    }
}

impl TextFile {
    /// The text, kept for the rest of the process (what is read from it may borrow it).
    pub fn leak(self) -> &'static str {
        // SAFETY: as in `deref`.
        unsafe { std::str::from_utf8_unchecked(self.0.leak()) }
    }
}

impl std::ops::Deref for TextFile {
    type Target = str;
    fn deref(&self) -> &str {
        // SAFETY: `TextFile::new` checked the bytes are UTF-8, and they do not change (see
        // `map_bytes`).
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }
}

impl AsRef<str> for TextFile {
    fn as_ref(&self) -> &str {
        self
    }
}

/// A regular UTF-8 text file of at most `kind.limit()` bytes, mapped rather than copied: reading a
/// 222 MB catalog folder into strings cost a tenth of loading it (the copy, and the fresh pages
/// it fills).
pub fn map_text(path: &Path, kind: Kind) -> Result<TextFile, InputError> {
    TextFile::new(map_bytes(path, kind)?).ok_or_else(|| InputError::NotText {
        kind,
        path: path.to_path_buf(),
    })
}

/// Reads a regular UTF-8 text file of at most `kind.limit()` bytes.
pub fn read_text(path: &Path, kind: Kind) -> Result<String, InputError> {
    let bytes = read_bytes(path, kind)?;
    String::from_utf8(bytes).map_err(|_| InputError::NotText {
        kind,
        path: path.to_path_buf(),
    })
}

/// Reads an optional file: `Ok(None)` when nothing is at `path` (not even a dangling symlink).
pub fn read_text_if_present(path: &Path, kind: Kind) -> Result<Option<String>, InputError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        _ => read_text(path, kind).map(Some),
    }
}

/// What a folder walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// Regular files (and symlinks to regular files, when asked for), in directory order.
    pub files: Vec<PathBuf>,
    /// Entries left out because they are not regular files or folders: FIFOs, devices, sockets,
    /// symlinked folders, dangling symlinks; with what each is.
    pub skipped: Vec<(PathBuf, &'static str)>,
}

/// How a walk treats the folder's entries.
pub struct WalkOptions<'a> {
    /// Folder names not to enter (e.g. `.git`).
    pub skip_dirs: &'a [&'a str],
    /// Whether a symlink to a regular file counts as a file (symlinked folders are never entered).
    pub file_links: bool,
}

/// Lists the regular files under `root` (a folder), recursively. Symlinked folders are not entered
/// (they may form cycles or lead out of the tree); FIFOs, devices and sockets are skipped.
pub fn walk(root: &Path, options: &WalkOptions<'_>) -> std::io::Result<Walk> {
    let mut walk = Walk::default();
    let mut seen = HashSet::new();
    walk_into(root, options, &mut seen, &mut walk)?;
    Ok(walk)
}

/// A folder's identity, to enter each one once even through bind mounts.
pub(crate) fn folder_id(dir: &Path) -> std::io::Result<(u64, u64, PathBuf)> {
    let meta = std::fs::metadata(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok((meta.dev(), meta.ino(), PathBuf::new()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Ok((0, 0, std::fs::canonicalize(dir)?))
    }
}

fn walk_into(
    dir: &Path,
    options: &WalkOptions<'_>,
    seen: &mut HashSet<(u64, u64, PathBuf)>,
    out: &mut Walk,
) -> std::io::Result<()> {
    if !seen.insert(folder_id(dir)?) {
        out.skipped
            .push((dir.to_path_buf(), "a folder already walked"));
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        // The entry's own type: a symlink is reported as a symlink, not followed.
        let ft = entry.file_type()?;
        if ft.is_dir() {
            let name = entry.file_name();
            if !options.skip_dirs.iter().any(|s| name == *s) {
                walk_into(&path, options, seen, out)?;
            }
        } else if ft.is_file() {
            out.files.push(path);
        } else if ft.is_symlink() {
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() && options.file_links => out.files.push(path),
                Ok(m) if m.is_file() => out.skipped.push((path, "a symlink to a file")),
                Ok(m) if m.is_dir() => out.skipped.push((path, "a symlink to a folder")),
                Ok(m) => out.skipped.push((path, describe(&m))),
                Err(_) => out.skipped.push((path, "a dangling symlink")),
            }
        } else if let Ok(m) = entry.metadata() {
            out.skipped.push((path, describe(&m)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pick-input-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reads_regular_files_and_refuses_folders() {
        let dir = temp("regular");
        let f = dir.join("a.toml");
        std::fs::write(&f, "x = 1\n").unwrap();
        assert_eq!(read_text(&f, Kind::Catalog).unwrap(), "x = 1\n");
        let e = read_text(&dir, Kind::Policy).unwrap_err().to_string();
        assert!(
            e.contains("is a folder") && e.contains("policy file"),
            "{e}"
        );
        let e = read_text(&dir.join("nope"), Kind::Policy).unwrap_err();
        assert!(e.is_not_found());
        assert!(
            read_text_if_present(&dir.join("nope"), Kind::SafetensorsIndex)
                .unwrap()
                .is_none()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_device_behind_a_symlink_is_refused_without_reading() {
        let dir = temp("device");
        let link = dir.join("config.json");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let e = read_text(&link, Kind::ModelConfig).unwrap_err().to_string();
        assert!(
            e.contains("a symlink to /dev/zero") && e.contains("character device"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn files_that_report_size_zero_are_still_limited() {
        // /proc files report size 0; this one is small, so it reads; the limit is enforced by
        // `take`, not by the reported size.
        let text = read_text(Path::new("/proc/self/status"), Kind::Scanned).unwrap();
        assert!(text.contains("Name:"));
    }

    #[cfg(unix)]
    #[test]
    fn walks_do_not_follow_symlinked_folders() {
        let dir = temp("walk");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a.toml"), "").unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).unwrap();
        std::os::unix::fs::symlink(dir.join("sub/a.toml"), dir.join("b.toml")).unwrap();
        let opts = WalkOptions {
            skip_dirs: &[],
            file_links: true,
        };
        let w = walk(&dir, &opts).unwrap();
        let mut files = w.files.clone();
        files.sort();
        assert_eq!(files, vec![dir.join("b.toml"), dir.join("sub/a.toml")]);
        assert!(w
            .skipped
            .iter()
            .any(|(p, what)| p.ends_with("loop") && *what == "a symlink to a folder"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
