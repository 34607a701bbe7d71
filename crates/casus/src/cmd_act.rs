//! `casus act`, `casus sign`, `casus refuse`: write to a casus server with a
//! key file.
//!
//! The act is signed here, on the signer's machine, as the ledger entry the
//! server will store (see `casus_server::client` and docs/SERVER.md); the
//! key never leaves the machine. `sign` and `refuse` write the act for the
//! key's party at the current time.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use casus_ledger::KeyRole;
use casus_server::client::{self, Server};

#[derive(clap::Args)]
pub struct Target {
    /// The server: http://HOST:PORT
    #[arg(long)]
    server: String,
    /// The key file to sign with (a party's key signs that party's acts).
    #[arg(long)]
    key: PathBuf,
    /// The server's read token, if it needs one.
    #[arg(long)]
    token: Option<String>,
}

fn send(t: &Target, name: &str, text: &str) -> Result<ExitCode> {
    let server = Server::parse(&t.server, t.token.clone()).map_err(anyhow::Error::msg)?;
    let key = crate::cmd_keys::read_key(&t.key)?;
    match client::submit(&server, &key, name, text) {
        Ok(a) => {
            println!("appended entries {}..{}; the ledger holds {} entries, root {}", a.first, a.last, a.size, a.root);
            Ok(ExitCode::SUCCESS)
        }
        Err(why) => {
            eprintln!("error: refused: {why}");
            Ok(ExitCode::from(1))
        }
    }
}

/// `casus act --server URL --key KEYFILE ACTFILE`.
pub fn act(t: Target, file: PathBuf) -> Result<ExitCode> {
    let text = crate::input::read(&file)?;
    let name = file.file_name().map_or("act.acts".to_string(), |n| n.to_string_lossy().into_owned());
    send(&t, &name, &text)
}

/// `casus sign` / `casus refuse`: the key's party takes a position on a document now.
pub fn position(t: Target, kind: &str, document: &str, reason: Option<&str>, condition: Option<&str>) -> Result<ExitCode> {
    let key = crate::cmd_keys::read_key(&t.key)?;
    let Some(KeyRole::Party(party)) = key.role else { bail!("{} is not a party's key: only a party signs or refuses for itself", t.key.display()) };
    let now = casus_server::state::system_now();
    let text = client::position_act(now, &party, kind, document, reason, condition);
    send(&t, &format!("{kind}.acts"), &text)
}
