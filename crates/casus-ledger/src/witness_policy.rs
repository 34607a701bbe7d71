//! A witness policy with dated versions: which member states' witnesses
//! count, and how many of them must cosign a checkpoint, from which date.
//!
//! An alliance's membership changes, and so do the witnesses its members
//! run and the quorum it asks of them. A proof bundle must go on verifying
//! under the policy of its day after the policy has changed: so the policy
//! is a list of versions, each in force from a date until the next, and a
//! bundle is judged by the version in force at its checkpoint's signed
//! time. A cosignature counts only if a witness of that version made it
//! within [`COSIGNATURE_WINDOW_SECS`] of that time: an operator who signs a
//! checkpoint with an old date, to fall under an older, weaker version,
//! would need that version's witnesses to cosign it with an old date too.
//! (A retired witness's key that leaks can still do that: take a leaked
//! key out of every version, not only the next.)
//!
//! The file is text, one directive per line, `#` comments:
//!
//! ```text
//! # The CSTO ledger's witnesses
//! version 2026-01-01
//!   quorum  4
//!   witness ARM witness.example/arm+d33d8479+BIE5dw6ofRdfVqNUZsNMfszLjYqRtO43ol32D1uPybOU http://witness.arm.example:7380
//!   witness KAZ …
//! version 2027-03-01T12:00
//!   quorum  5
//!   witness …
//! ```

use crate::bundle::{BundleReport, verify_bundle_witnessed};
use crate::note::{NoteVerifier, SignatureType};
use crate::{LedgerError, Result};
use casus_model::{Precision, Time};

/// The most versions a policy may have.
pub const MAX_VERSIONS: usize = 256;
/// The most witnesses of one version.
pub const MAX_WITNESSES: usize = 256;
/// The largest policy file, in bytes.
pub const MAX_POLICY_BYTES: usize = 1 << 20;
/// How long after a checkpoint's signed time a cosignature still counts
/// under the version in force at that time (witnesses cosign within
/// seconds; a day leaves room for a witness that was down).
pub const COSIGNATURE_WINDOW_SECS: i64 = 86_400;
/// How far before a checkpoint's signed time a cosignature may be dated
/// (the witnesses' clocks may run a little behind the operator's).
pub const COSIGNATURE_SKEW_SECS: i64 = 300;

/// One version of the policy.
#[derive(Clone, Debug)]
pub struct PolicyVersion {
    /// In force from this time (seconds since 1970, UTC) until the next version's.
    pub from: i64,
    /// How many of `witnesses` must cosign.
    pub quorum: usize,
    /// The witnesses of this version.
    pub witnesses: Vec<PolicyWitness>,
}

/// One witness of a version: `witness LABEL VERIFIER_KEY [URL]`.
#[derive(Clone, Debug)]
pub struct PolicyWitness {
    /// The label it is known by (a member state's code).
    pub label: String,
    /// Its cosignature/v1 verifier key.
    pub key: NoteVerifier,
    /// Where an operator asks it to cosign (`http://…`); readers, who only
    /// check cosignatures, need none.
    pub url: Option<String>,
}

/// A policy: versions in order of their dates.
#[derive(Clone, Debug)]
pub struct WitnessPolicy {
    pub versions: Vec<PolicyVersion>,
}

fn bad(line: usize, msg: impl std::fmt::Display) -> LedgerError {
    LedgerError::Refused(format!("witness policy, line {line}: {msg}"))
}

impl WitnessPolicy {
    /// Parses a policy file; every error names its line.
    pub fn parse(text: &str) -> Result<WitnessPolicy> {
        if text.len() > MAX_POLICY_BYTES {
            return Err(LedgerError::TooLarge { what: "witness policy", size: text.len(), max: MAX_POLICY_BYTES });
        }
        let mut versions: Vec<PolicyVersion> = Vec::new();
        let mut quorum_line: Vec<Option<usize>> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let mut words = content.split_whitespace();
            let directive = words.next().unwrap_or("");
            let args: Vec<&str> = words.collect();
            match directive {
                "version" => {
                    let [date] = args[..] else { return Err(bad(line, "write `version DATE` (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], UTC)")) };
                    let from = match Time::parse(date) {
                        Some((t, Precision::Day | Precision::Minute | Precision::Second)) => t.0,
                        _ => return Err(bad(line, format!("`{date}` is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], UTC)"))),
                    };
                    if let Some(prev) = versions.last()
                        && from <= prev.from
                    {
                        return Err(bad(line, "versions must be in order of their dates, each later than the one before"));
                    }
                    if versions.len() == MAX_VERSIONS {
                        return Err(bad(line, format!("more than {MAX_VERSIONS} versions")));
                    }
                    versions.push(PolicyVersion { from, quorum: 0, witnesses: Vec::new() });
                    quorum_line.push(None);
                }
                "quorum" | "witness" if versions.is_empty() => return Err(bad(line, format!("`{directive}` before any `version DATE`"))),
                "quorum" => {
                    let [k] = args[..] else { return Err(bad(line, "write `quorum K`")) };
                    let k: usize = k.parse().map_err(|_| bad(line, format!("`{k}` is not a number")))?;
                    let last = quorum_line.len() - 1;
                    if quorum_line[last].is_some() {
                        return Err(bad(line, "a second `quorum` in one version"));
                    }
                    quorum_line[last] = Some(line);
                    if let Some(v) = versions.last_mut() {
                        v.quorum = k;
                    }
                }
                "witness" => {
                    let (label, key, url) = match args[..] {
                        [label, key] => (label, key, None),
                        [label, key, url] if url.starts_with("http://") || url.starts_with("https://") => (label, key, Some(url.to_string())),
                        [_, _, url] => return Err(bad(line, format!("`{url}` is not a witness's address (http://HOST:PORT)"))),
                        _ => return Err(bad(line, "write `witness LABEL VERIFIER_KEY [URL]`")),
                    };
                    let verifier = NoteVerifier::parse(key).map_err(|e| bad(line, format!("witness {label}: {e}")))?;
                    if verifier.signature_type != SignatureType::CosignatureV1 {
                        return Err(bad(line, format!("witness {label}: a witness key is a cosignature/v1 key (type 0x04)")));
                    }
                    let Some(v) = versions.last_mut() else { return Err(bad(line, "`witness` before any `version DATE`")) };
                    if v.witnesses.iter().any(|w| w.label == label || (w.key.name == verifier.name && w.key.key_id == verifier.key_id)) {
                        return Err(bad(line, format!("witness {label} is listed twice in this version")));
                    }
                    if v.witnesses.len() == MAX_WITNESSES {
                        return Err(bad(line, format!("more than {MAX_WITNESSES} witnesses in one version")));
                    }
                    v.witnesses.push(PolicyWitness { label: label.to_string(), key: verifier, url });
                }
                other => return Err(bad(line, format!("unknown directive `{other}`: expected `version`, `quorum` or `witness`"))),
            }
        }
        if versions.is_empty() {
            return Err(LedgerError::Refused("witness policy: no `version DATE`".into()));
        }
        for (v, q) in versions.iter().zip(&quorum_line) {
            let date = Time(v.from).display();
            if q.is_none() {
                return Err(LedgerError::Refused(format!("witness policy: the version of {date} has no `quorum`")));
            }
            if v.quorum == 0 || v.quorum > v.witnesses.len() {
                return Err(LedgerError::Refused(format!(
                    "witness policy: the version of {date} asks a quorum of {} of its {} witness(es); it must be between 1 and their number",
                    v.quorum,
                    v.witnesses.len()
                )));
            }
        }
        Ok(WitnessPolicy { versions })
    }

    /// The version in force at `t`: the last one from `t` or before.
    pub fn in_force(&self, t: i64) -> Option<&PolicyVersion> {
        self.versions.iter().rev().find(|v| v.from <= t)
    }
}

/// What a bundle verified under a policy: the bundle's report, with only
/// the cosignatures that counted, and the version that judged it.
pub struct PolicyVerdict<'a> {
    pub report: BundleReport,
    pub version: &'a PolicyVersion,
}

/// Verifies a proof bundle (as [`verify_bundle_witnessed`]) under the
/// version of `policy` in force at its checkpoint's signed time: at least
/// that version's quorum of its witnesses must have cosigned, each within
/// the window around that time.
pub fn verify_bundle_under_policy<'a>(bytes: &[u8], policy: &'a WitnessPolicy) -> Result<PolicyVerdict<'a>> {
    let plain = verify_bundle_witnessed(bytes, &[], 0)?;
    let at = plain.checkpoint.time;
    let Some(version) = policy.in_force(at) else {
        let first = policy.versions.first().map_or(String::new(), |v| Time(v.from).display());
        return Err(LedgerError::Refused(format!(
            "no version of the witness policy was in force at the checkpoint's time, {} (the first is of {first})",
            Time(at).display()
        )));
    };
    let keys: Vec<NoteVerifier> = version.witnesses.iter().map(|w| w.key.clone()).collect();
    let mut report = verify_bundle_witnessed(bytes, &keys, 0)?;
    let in_window = |secs: Option<u64>| {
        secs.and_then(|s| i64::try_from(s).ok()).is_some_and(|s| s >= at - COSIGNATURE_SKEW_SECS && s <= at.saturating_add(COSIGNATURE_WINDOW_SECS))
    };
    report.cosignatures.retain(|c| in_window(c.timestamp_secs));
    if report.cosignatures.len() < version.quorum {
        return Err(LedgerError::Refused(format!(
            "{} of the {} witnesses of the policy of {} cosigned the checkpoint within a day of its time ({}); that version's quorum is {}",
            report.cosignatures.len(),
            version.witnesses.len(),
            Time(version.from).display(),
            Time(at).display(),
            version.quorum
        )));
    }
    Ok(PolicyVerdict { report, version })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "witness.example/arm+d33d8479+BIE5dw6ofRdfVqNUZsNMfszLjYqRtO43ol32D1uPybOU";

    fn err(text: &str) -> String {
        match WitnessPolicy::parse(text) {
            Ok(_) => panic!("{text:?} parsed"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn versions_are_chosen_by_date() {
        let p = WitnessPolicy::parse(&format!(
            "# two versions\nversion 2026-01-01\n  quorum 1\n  witness ARM {KEY_A}\n\nversion 2027-03-01T12:00\n  quorum 1   # same witness\n  witness ARM {KEY_A} http://127.0.0.1:7380\n"
        ))
        .expect("policy");
        assert_eq!(p.versions.len(), 2);
        assert_eq!(p.versions[0].witnesses[0].url, None);
        assert_eq!(p.versions[1].witnesses[0].url.as_deref(), Some("http://127.0.0.1:7380"));
        let jan = Time::parse("2026-01-01").expect("date").0.0;
        let mar = Time::parse("2027-03-01T12:00").expect("date").0.0;
        assert!(p.in_force(jan - 1).is_none());
        assert_eq!(p.in_force(jan).map(|v| v.from), Some(jan));
        assert_eq!(p.in_force(mar - 1).map(|v| v.from), Some(jan));
        assert_eq!(p.in_force(mar).map(|v| v.from), Some(mar));
    }

    #[test]
    fn every_mistake_names_its_line() {
        assert!(err("quorum 1\n").contains("line 1: `quorum` before any `version DATE`"));
        assert!(err("version 2026-02-30\n").contains("line 1: `2026-02-30` is not a date"));
        assert!(err(&format!("version 2026-01-01\n quorum 1\n witness ARM {KEY_A}\nversion 2025-01-01\n")).contains("line 4: versions must be in order"));
        assert!(err(&format!("version 2026-01-01\n quorum 2\n witness ARM {KEY_A}\n")).contains("asks a quorum of 2 of its 1 witness(es)"));
        assert!(err(&format!("version 2026-01-01\n witness ARM {KEY_A}\n")).contains("has no `quorum`"));
        assert!(err(&format!("version 2026-01-01\n quorum 1\n witness ARM {KEY_A}\n witness KAZ {KEY_A}\n")).contains("line 4: witness KAZ is listed twice"));
        assert!(err("version 2026-01-01\n quorum 1\n witness ARM not-a-key\n").contains("line 3: witness ARM:"));
        assert!(err("version 2026-01-01\n quorum one\n").contains("line 2: `one` is not a number"));
        assert!(err(&format!("version 2026-01-01\n quorum 1\n witness ARM {KEY_A} ftp://x\n")).contains("line 3: `ftp://x` is not a witness's address"));
        assert!(err("versoin 2026-01-01\n").contains("line 1: unknown directive `versoin`"));
        assert!(err("# nothing\n").contains("no `version DATE`"));
    }
}
