//! The demo ledger: a treaty and a record imported into a fresh store, with
//! a key for every party, so that `casus serve --demo` needs no set-up and
//! exercise players can sign acts at once.
//!
//! Files and key storage are the caller's: this only writes the ledger.

use casus_ledger::{KeyRegistration, KeyRole, Ledger, SecretKey, Store};
use casus_model::{Symbols, Time};

/// Creates the ledger in an empty `store`: the genesis binds `treaty` (its
/// file name and text) and registers `operator` and every party key; the
/// record's acts are imported in record mode, signed by the operator acting
/// as recorder; a checkpoint is signed. Returns the number of acts.
pub fn create(
    store: Box<dyn Store>,
    treaty: (&str, &str),
    record: (&str, &str),
    operator: &SecretKey,
    parties: &[(String, SecretKey)],
    time: Time,
) -> Result<usize, String> {
    let mut symbols = Symbols::new();
    let (t, diags) = casus_lang::load_treaty(treaty.0, treaty.1, &mut symbols);
    if diags.iter().any(|d| d.is_error()) {
        return Err(format!("{} does not load:\n{}", treaty.0, casus_lang::render(&diags, treaty.0, treaty.1)));
    }
    let (r, diags) = casus_lang::load_record(record.0, record.1, &t, &mut symbols);
    if diags.iter().any(|d| d.is_error()) {
        return Err(format!("{} does not load:\n{}", record.0, casus_lang::render(&diags, record.0, record.1)));
    }
    let keys: Vec<KeyRegistration> = parties.iter().map(|(code, k)| KeyRegistration { key: k.public(), role: KeyRole::Party(code.clone()) }).collect();
    // The genesis names the file without its directory: the extension tells how to read it.
    let name = std::path::Path::new(treaty.0).file_name().map_or(treaty.0.to_string(), |n| n.to_string_lossy().into_owned());
    let mut ledger = Ledger::create(store, &name, treaty.1.as_bytes(), operator, &keys, time).map_err(|e| e.to_string())?;
    ledger.import(&r, &symbols, operator, time).map_err(|e| e.to_string())?;
    ledger.checkpoint(operator, time).map_err(|e| e.to_string())?;
    Ok(r.acts.len())
}

/// The party codes of a treaty, in declaration order (keys are made for each).
pub fn party_codes(treaty_name: &str, treaty_text: &str) -> Vec<String> {
    let mut symbols = Symbols::new();
    let (t, _) = casus_lang::load_treaty(treaty_name, treaty_text, &mut symbols);
    t.parties.iter().map(|p| symbols.name(p.code).to_string()).collect()
}

/// The record's featured date and cases (empty when the files do not load:
/// [`create`] reports that).
pub fn featured(treaty: (&str, &str), record: (&str, &str)) -> casus_lang::Featured {
    let mut symbols = Symbols::new();
    let (t, _) = casus_lang::load_treaty(treaty.0, treaty.1, &mut symbols);
    let (_, featured, diags) = casus_lang::load_record_featured(record.0, record.1, &t, &mut symbols);
    if diags.iter().any(|d| d.is_error()) { casus_lang::Featured::default() } else { featured }
}
