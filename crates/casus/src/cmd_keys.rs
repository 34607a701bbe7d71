//! `casus keys`: make and inspect Ed25519 key files.
//!
//! A key file holds a secret seed and, optionally, the role it is meant for
//! (a party code, `recorder` or `operator`); it is created with mode 0600
//! and never overwritten. Its public half is written beside it as
//! `KEYFILE.pub`, which is what an operator registers in a ledger.
//!
//! Both files are written whole or not at all: each goes to a temporary
//! file beside it, is synced, and is then linked into place (a hard link,
//! which fails rather than overwrite). A write that fails half-way (a full
//! disk) leaves nothing behind, so a retry is not blocked by a 0-byte key.
//! Missing directories on the way to a key file are created 0700 whatever
//! the umask ([`create_private_dir`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use casus_ledger::{KeyFile, KeyRole, PublicKeyFile, SecretKey};

#[derive(clap::Subcommand)]
pub enum KeysCommand {
    /// Make a new key: KEYFILE (secret, mode 0600) and KEYFILE.pub.
    New {
        /// Where to write the secret key file.
        #[arg(long)]
        out: PathBuf,
        /// The party (or organ) code the key signs for, in live mode.
        #[arg(long, conflicts_with_all = ["recorder", "operator"])]
        party: Option<String>,
        /// The key is a recorder's: it signs acts entered from their sources.
        #[arg(long, conflicts_with = "operator")]
        recorder: bool,
        /// The key is a ledger operator's: it signs key changes and checkpoints.
        #[arg(long)]
        operator: bool,
    },
    /// Print a key file's id and role (secret or public file).
    Show {
        /// The key file (secret, or KEYFILE.pub).
        key: PathBuf,
    },
    /// Print the C2SP note verifier key of an operator key for a ledger (what its witnesses are configured with).
    NoteVerifier {
        /// The operator's key file (secret, or KEYFILE.pub).
        #[arg(long)]
        key: PathBuf,
        /// The ledger whose origin names the key: a SQLite file or a postgres:// URL.
        #[arg(long, required_unless_present = "origin")]
        ledger: Option<String>,
        /// The ledger's origin, as `casus ledger origin` prints it, instead of --ledger.
        #[arg(long, conflicts_with = "ledger")]
        origin: Option<String>,
    },
}

pub fn run(cmd: KeysCommand) -> Result<ExitCode> {
    match cmd {
        KeysCommand::New { out, party, recorder, operator } => {
            let role = match (party, recorder, operator) {
                (Some(p), _, _) => {
                    if p.is_empty() || p.len() > 64 || p.contains(char::is_whitespace) {
                        bail!("a party code is one word of at most 64 bytes");
                    }
                    Some(KeyRole::Party(p))
                }
                (None, true, _) => Some(KeyRole::Recorder),
                (None, false, true) => Some(KeyRole::Operator),
                (None, false, false) => None,
            };
            let file = KeyFile { key: SecretKey::generate()?, role };
            let public = pub_path(&out);
            for path in [&out, &public] {
                if path.exists() {
                    bail!("{} exists (an existing key is never overwritten)", path.display());
                }
            }
            write_key_pair(&out, file.to_text().as_bytes(), &public, file.public().to_text()?.as_bytes())?;
            println!("key {}", file.key.id());
            println!("wrote {} (secret, mode 0600) and {}", out.display(), public.display());
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::NoteVerifier { key, ledger, origin } => {
            let text = read_small(&key)?;
            let public = if text.contains("casus-secret-key") { KeyFile::parse(&text)?.key.public() } else { PublicKeyFile::parse(&text)?.key };
            let origin = match (origin, ledger) {
                (Some(o), _) => o,
                (None, Some(l)) => casus_ledger::Ledger::open(crate::cmd_ledger::open_existing_store(&l)?).origin()?,
                (None, None) => bail!("pass --ledger or --origin"),
            };
            println!("{}", casus_ledger::checkpoint_note::operator_note_verifier(&origin, &public)?);
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Show { key } => {
            let text = read_small(&key)?;
            let (id, role) = if text.contains("casus-secret-key") {
                let f = KeyFile::parse(&text)?;
                (f.key.id(), f.role)
            } else {
                let f = PublicKeyFile::parse(&text)?;
                (f.id()?, f.role)
            };
            println!("key  {id}");
            println!("role {}", role.map_or("none stated".to_string(), |r| r.to_string()));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `KEYFILE.pub` beside `KEYFILE`.
pub fn pub_path(key: &Path) -> PathBuf {
    let mut s = key.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// Reads a key file, bounded in size.
pub fn read_small(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.len() > casus_ledger::keys::MAX_KEY_FILE_BYTES as u64 {
        bail!("{} is too large to be a key file", path.display());
    }
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// Reads a secret key file.
pub fn read_key(path: &Path) -> Result<KeyFile> {
    KeyFile::parse(&read_small(path)?).with_context(|| format!("reading key file {}", path.display()))
}

/// Mode of a directory casus creates for keys or ledger data.
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// Creates `dir` and any missing parents with mode 0700, set explicitly so
/// that a permissive umask does not widen it. Directories that exist
/// already are left as they are (they may be the user's own).
pub fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_private_dir(parent)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(PRIVATE_DIR_MODE);
    }
    match builder.create(dir) {
        Ok(()) => {}
        // Made by another process meanwhile: theirs, left as it is.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("creating {}", dir.display())),
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(PRIVATE_DIR_MODE)).with_context(|| format!("setting the mode of {}", dir.display()))?;
    }
    Ok(())
}

/// Writes a secret key file (0600, in a private directory made if missing)
/// and its public half (0644), whole or not at all: each is written to a
/// temporary file and synced first, neither ever overwrites a file, and
/// without its public half the secret goes too. `casus keys new` and
/// `casus witness keys new` both write keys through this.
pub fn write_key_pair(secret_path: &Path, secret: &[u8], public_path: &Path, public: &[u8]) -> Result<()> {
    if let Some(dir) = secret_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let secret_file = Staged::write(secret_path, secret, 0o600)?;
    let public_file = Staged::write(public_path, public, 0o644)?;
    secret_file.publish()?;
    if let Err(e) = public_file.publish() {
        let _ = std::fs::remove_file(secret_path);
        return Err(e);
    }
    Ok(())
}

/// A file written whole to a temporary name beside its destination.
/// Dropped unpublished, it removes itself.
struct Staged {
    temp: PathBuf,
    dest: PathBuf,
}

impl Staged {
    /// Writes `bytes` to a new temporary file beside `dest` with `mode`,
    /// and syncs it.
    fn write(dest: &Path, bytes: &[u8], mode: u32) -> Result<Staged> {
        let name = dest.file_name().with_context(|| format!("{} names no file", dest.display()))?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".tmp-{}", std::process::id()));
        let temp = dest.with_file_name(temp_name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut f = options.open(&temp).with_context(|| format!("creating {}", temp.display()))?;
        // From here on, dropping `staged` removes the temporary file.
        let staged = Staged { temp, dest: dest.to_path_buf() };
        f.write_all(bytes).and_then(|_| f.sync_all()).with_context(|| format!("writing {}", staged.temp.display()))?;
        Ok(staged)
    }

    /// Links the file into place; fails if the destination exists.
    fn publish(self) -> Result<()> {
        std::fs::hard_link(&self.temp, &self.dest).with_context(|| format!("creating {} (an existing key is never overwritten)", self.dest.display()))?;
        if let Some(dir) = self.dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Makes the new name durable; a failure here loses nothing written.
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.temp);
    }
}
