//! `casus keys`: make and inspect Ed25519 key files.
//!
//! A key file holds a secret seed and, optionally, the role it is meant for
//! (a party code, `recorder` or `operator`); it is created with mode 0600
//! and never overwritten. Its public half is written beside it as
//! `KEYFILE.pub`, which is what an operator registers in a ledger.

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
            write_new(&out, file.to_text().as_bytes(), 0o600)?;
            write_new(&public, file.public().to_text()?.as_bytes(), 0o644)?;
            println!("key {}", file.key.id());
            println!("wrote {} (secret, mode 0600) and {}", out.display(), public.display());
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

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = options.open(path).with_context(|| format!("creating {} (an existing key is never overwritten)", path.display()))?;
    f.write_all(bytes).and_then(|_| f.sync_all()).with_context(|| format!("writing {}", path.display()))
}
