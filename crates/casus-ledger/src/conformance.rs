//! The one story every store must pass, and the tampering it must reveal.
//!
//! Each backend crate implements [`Backend`] and calls
//! [`conformance_tests!`](crate::conformance_tests) in its tests, which
//! expands to one `#[test]` per scenario. The scenarios go through the
//! public [`Ledger`] API only, and tamper through [`RawStore`] the way an
//! attacker with write access to the database would: flip a byte, delete
//! an entry, reorder two, truncate, rewrite history after a checkpoint,
//! swap two signatures. Each must be detected and named.
//!
//! Every function returns `Result<(), String>` rather than panicking, so a
//! failure explains itself; the macro turns an `Err` into a test failure.

use casus_model::{Act, ActKind, Citation, Record, Symbols, Time};

use crate::entry::KeyChange;
use crate::keys::{KeyRegistration, KeyRole, SecretKey};
use crate::store::{RawStore, Store};
use crate::{Ledger, LedgerError, Tamper, verify_bundle};

/// A storage backend under test.
pub trait Backend: Sync {
    /// Creates an empty log named `name`, dropping any earlier one.
    fn fresh(&self, name: &str) -> Result<(), String>;
    /// A new handle on the log `name` (a new connection, as another process
    /// would have).
    fn open(&self, name: &str) -> Result<Box<dyn Store>, String>;
    /// Raw access to the log `name`, for tampering.
    fn raw(&self, name: &str) -> Result<Box<dyn RawStore>, String>;
}

pub type Outcome = Result<(), String>;

/// Expands to one `#[test]` per conformance scenario, for the backend
/// returned by `$backend` (an expression evaluated in each test).
#[macro_export]
macro_rules! conformance_tests {
    ($backend:expr) => {
        $crate::conformance_tests!(@each $backend;
            story, refusals, key_rotation_and_revocation, bitemporal_reads,
            concurrent_appenders, group_commit, signed_elsewhere, tamper_flip_byte, tamper_delete_entry, tamper_reorder,
            tamper_truncate, tamper_fork_after_checkpoint, tamper_swap_signature,
            tamper_checkpoint_signature);
    };
    (@each $backend:expr; $($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                let backend = $backend;
                if let Err(e) = $crate::conformance::$name(&backend, concat!(module_path!(), "::", stringify!($name))) {
                    panic!("{}: {e}", stringify!($name));
                }
            }
        )*
    };
}

/// Fixed keys, so that runs are reproducible.
pub struct Keys {
    pub operator: SecretKey,
    pub arm: SecretKey,
    pub kaz: SecretKey,
    pub recorder: SecretKey,
}

impl Keys {
    pub fn new() -> Keys {
        Keys {
            operator: SecretKey::from_seed([1; 32]),
            arm: SecretKey::from_seed([2; 32]),
            kaz: SecretKey::from_seed([3; 32]),
            recorder: SecretKey::from_seed([4; 32]),
        }
    }
    pub fn registrations(&self) -> Vec<KeyRegistration> {
        vec![
            KeyRegistration { key: self.arm.public(), role: KeyRole::Party("ARM".into()) },
            KeyRegistration { key: self.kaz.public(), role: KeyRole::Party("KAZ".into()) },
            KeyRegistration { key: self.recorder.public(), role: KeyRole::Recorder },
        ]
    }
}

impl Default for Keys {
    fn default() -> Self {
        Keys::new()
    }
}

pub const TREATY: &str = "# A test treaty\n\n```casus\ntreaty T \"Test\"\n```\n";

/// A day in 2022 as a time.
pub fn day(d: u32) -> Time {
    Time::from_date(2022, 1, 1).add(casus_model::Duration::days(d as i64))
}

/// An act by `actor`, with one source if `sourced`.
pub fn act(symbols: &mut Symbols, id: &str, actor: &str, kind: ActKind, d: u32, sourced: bool) -> Act {
    let mut i = |s: &str| symbols.intern(s);
    Act {
        id: i(id),
        time: day(d),
        actor: i(actor),
        kind,
        subject: i("assistance"),
        under: i("art4"),
        to: i("CSC"),
        text: i("original text"),
        sources: if sourced {
            vec![Citation { url: i("https://example.org/source"), title: i("A source") }].into()
        } else {
            Box::new([])
        },
        ..Act::default()
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn ensure(cond: bool, what: impl FnOnce() -> String) -> Outcome {
    if cond { Ok(()) } else { Err(what()) }
}

/// A ledger of 10 entries: genesis, then 9 acts (live by ARM and KAZ,
/// recorded), record times day 100 + n.
pub fn seeded(backend: &dyn Backend, name: &str, keys: &Keys, symbols: &mut Symbols) -> Result<Ledger, String> {
    backend.fresh(name)?;
    let mut l = Ledger::create(backend.open(name)?, "T", TREATY.as_bytes(), &keys.operator, &keys.registrations(), day(100))
        .map_err(err)?;
    for n in 1..10u32 {
        let (actor, key, sourced) = match n % 3 {
            0 => ("ARM", &keys.arm, false),
            1 => ("KAZ", &keys.kaz, false),
            _ => ("CSC", &keys.recorder, true),
        };
        let a = act(symbols, &format!("act{n}"), actor, ActKind::Request, n, sourced);
        l.append_act(&a, symbols, key, day(100 + n)).map_err(err)?;
    }
    Ok(l)
}

fn expect_tamper(l: &mut Ledger, entry: u64, want: impl Fn(&Tamper) -> bool, what: &str) -> Outcome {
    match l.verify(&mut |_, _| {}) {
        Ok(_) => Err(format!("{what}: verify passed a tampered log")),
        Err(LedgerError::Tampered { entry: e, kind }) if e == entry && want(&kind) => Ok(()),
        Err(other) => Err(format!("{what}: expected tampering at entry {entry}, got: {other}")),
    }
}

/// Entries signed by their actors elsewhere (a client of the server) and
/// appended as sent: accepted when they extend the log and verify; a forged
/// signer, a bad signature, a stale head or a replay is refused naming the
/// entry, and nothing is written.
pub fn signed_elsewhere(backend: &dyn Backend, name: &str) -> Outcome {
    use crate::entry::Mode;
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    l.sync().map_err(err)?;
    let head = |l: &Ledger| (l.replay().size, l.replay().prev);
    let acts: Vec<Act> = (0..3).map(|n| act(&mut symbols, &format!("client{n}"), "ARM", ActKind::Request, 30 + n, false)).collect();
    let (size, prev) = head(&l);
    let good = crate::signed_act_entries(size, prev, &acts, &symbols, &keys.arm, Mode::Live, day(120)).map_err(err)?;
    // Forged: ARM's acts signed with KAZ's key.
    let forged = crate::signed_act_entries(size, prev, &acts, &symbols, &keys.kaz, Mode::Live, day(120)).map_err(err)?;
    match l.append_signed(&forged) {
        Err(LedgerError::Rejected { entry, kind: Tamper::WrongSigner(_) }) if entry == size => {}
        other => return Err(format!("forged signer: {other:?}")),
    }
    // A flipped signature byte in the second entry.
    let mut bad = good.clone();
    let last = bad[1].len() - 1;
    bad[1][last] ^= 1;
    match l.append_signed(&bad) {
        Err(LedgerError::Rejected { entry, kind: Tamper::BadSignature }) if entry == size + 1 => {}
        other => return Err(format!("bad signature: {other:?}")),
    }
    ensure(l.len().map_err(err)? == size, || "a refusal wrote something".into())?;
    let range = l.append_signed(&good).map_err(err)?;
    ensure(range == (size..size + 3), || format!("range {range:?}"))?;
    // The same request again: its positions are taken.
    match l.append_signed(&good) {
        Err(LedgerError::Rejected { entry, .. }) if entry == size + 3 => {}
        other => return Err(format!("replayed request: {other:?}")),
    }
    let report = l.verify(&mut |_, _| {}).map_err(err)?;
    ensure(report.entries == size + 3, || format!("{report:?}"))?;
    let read = l.acts_as_of(None, &mut symbols).map_err(err)?;
    ensure(read.iter().filter(|a| a.attestation == casus_model::Attestation::Actor).count() >= 3, || "live acts attested by the actor".into())
}

/// Appends, reads back, checkpoints, proves, reopens.
pub fn story(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    ensure(l.len().map_err(err)? == 10, || "ten entries".into())?;
    let treaty = l.treaty().map_err(err)?;
    ensure(treaty.text == TREATY.as_bytes() && treaty.name == "T", || "treaty bound in genesis".into())?;

    // A record imported in one commit.
    let record = Record {
        title: "r".into(),
        acts: (0..5).map(|n| act(&mut symbols, &format!("rec{n}"), "RUS", ActKind::Statement, 20 + n, true)).collect(),
    };
    let range = l.import(&record, &symbols, &keys.recorder, day(120)).map_err(err)?;
    ensure(range == (10..15), || format!("import range {range:?}"))?;

    let cp = l.checkpoint(&keys.operator, day(121)).map_err(err)?;
    ensure(cp.size == 15, || "checkpoint size".into())?;
    let report = l.verify(&mut |_, _| {}).map_err(err)?;
    ensure(report.entries == 15 && report.acts == 14 && report.checkpoints == 1, || format!("{report:?}"))?;

    // Acts read back equal what was appended, byte for byte.
    let mut fresh = Symbols::new();
    let acts = l.acts_as_of(None, &mut fresh).map_err(err)?;
    ensure(acts.len() == 14, || format!("{} acts", acts.len()))?;
    let appended_last = crate::encode::encode_act(&record.acts[4], &symbols).map_err(err)?;
    ensure(crate::encode::encode_act(&acts[13], &fresh).map_err(err)? == appended_last, || "act round trip".into())?;
    ensure(acts[2].attestation == casus_model::Attestation::Actor, || "live act attested by actor".into())?;
    ensure(matches!(acts[1].attestation, casus_model::Attestation::Recorder(_)), || "recorded act attested by recorder".into())?;

    // Proof bundles: every entry, offline.
    for seq in [0u64, 3, 7, 14] {
        let bundle = l.proof_bundle(seq).map_err(err)?;
        let r = verify_bundle(&bundle).map_err(|e| format!("bundle {seq}: {e}"))?;
        ensure(r.seq == seq && r.checkpoint.size == 15 && r.genesis == report.genesis, || format!("bundle report {r:?}"))?;
        // Any flipped byte makes it fail (and never panics).
        for i in (0..bundle.len()).step_by(97) {
            let mut bad = bundle.clone();
            bad[i] ^= 0x20;
            ensure(verify_bundle(&bad).is_err(), || format!("bundle {seq} with byte {i} flipped verified"))?;
        }
    }
    ensure(l.proof_bundle(15).is_err(), || "bundle beyond the log".into())?;

    // Another handle, as another process: sees the same log and appends.
    let mut other = Ledger::open(backend.open(name)?);
    let a = act(&mut symbols, "late", "ARM", ActKind::Request, 40, false);
    ensure(other.append_act(&a, &symbols, &keys.arm, day(130)).map_err(err)? == 15, || "append on reopen".into())?;
    ensure(l.append_act(&a, &symbols, &keys.arm, day(131)).map_err(err)? == 16, || "stale handle catches up".into())?;
    other.checkpoint(&keys.operator, day(132)).map_err(err)?;
    let report = other.verify(&mut |_, _| {}).map_err(err)?;
    ensure(report.entries == 17 && report.checkpoints == 2, || format!("{report:?}"))
}

/// What the rules refuse; nothing is written.
pub fn refusals(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let stranger = SecretKey::from_seed([9; 32]);
    let by_arm = act(&mut symbols, "x", "ARM", ActKind::Request, 50, false);
    let unsourced = act(&mut symbols, "y", "CSC", ActKind::Decision, 50, false);
    let cases: [(&str, &Act, &SecretKey); 4] = [
        ("an act by ARM signed with KAZ's key", &by_arm, &keys.kaz),
        ("an unregistered key", &by_arm, &stranger),
        ("the operator key signing an act", &by_arm, &keys.operator),
        ("a recorded act without a source", &unsourced, &keys.recorder),
    ];
    for (what, a, key) in cases {
        match l.append_act(a, &symbols, key, day(200)) {
            Err(LedgerError::Refused(_)) => {}
            other => return Err(format!("{what}: expected a refusal, got {other:?}")),
        }
    }
    match l.append_act(&by_arm, &symbols, &keys.arm, day(99)) {
        Err(LedgerError::Refused(_)) => {}
        other => return Err(format!("a record time going backwards: {other:?}")),
    }
    let record = Record { title: "r".into(), acts: vec![act(&mut symbols, "z", "RUS", ActKind::Statement, 1, true)] };
    ensure(l.import(&record, &symbols, &keys.arm, day(200)).is_err(), || "import with a party key".into())?;
    ensure(
        Ledger::create(backend.open(name)?, "T", b"x", &keys.operator, &[], day(300)).is_err(),
        || "a second genesis".into(),
    )?;
    ensure(l.len().map_err(err)? == 10, || "a refusal wrote something".into())?;
    l.verify(&mut |_, _| {}).map_err(err)?;
    Ok(())
}

/// Rotated and revoked keys sign nothing after; earlier entries stay valid.
pub fn key_rotation_and_revocation(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let arm2 = SecretKey::from_seed([12; 32]);
    l.change_key(&KeyChange::Rotate { old: keys.arm.id(), new: arm2.public() }, &keys.operator, day(200)).map_err(err)?;
    let a = act(&mut symbols, "after", "ARM", ActKind::Request, 60, false);
    ensure(matches!(l.append_act(&a, &symbols, &keys.arm, day(201)), Err(LedgerError::Refused(_))), || "rotated key still signs".into())?;
    l.append_act(&a, &symbols, &arm2, day(201)).map_err(err)?;
    l.change_key(&KeyChange::Revoke { key: keys.kaz.id(), reason: "lost".into() }, &keys.operator, day(202)).map_err(err)?;
    let k = act(&mut symbols, "k", "KAZ", ActKind::Request, 61, false);
    ensure(matches!(l.append_act(&k, &symbols, &keys.kaz, day(203)), Err(LedgerError::Refused(_))), || "revoked key still signs".into())?;
    let new_kaz = SecretKey::from_seed([13; 32]);
    l.change_key(&KeyChange::Register(KeyRegistration { key: new_kaz.public(), role: KeyRole::Party("KAZ".into()) }), &keys.operator, day(204))
        .map_err(err)?;
    l.append_act(&k, &symbols, &new_kaz, day(205)).map_err(err)?;
    // The operator key rotates too; the old one may no longer checkpoint.
    let op2 = SecretKey::from_seed([14; 32]);
    l.change_key(&KeyChange::Rotate { old: keys.operator.id(), new: op2.public() }, &keys.operator, day(206)).map_err(err)?;
    ensure(l.checkpoint(&keys.operator, day(207)).is_err(), || "old operator key checkpoints".into())?;
    l.checkpoint(&op2, day(207)).map_err(err)?;
    let report = l.verify(&mut |_, _| {}).map_err(err)?;
    ensure(report.entries == 16 && report.key_entries == 5, || format!("{report:?}"))?;
    let bundle = l.proof_bundle(3).map_err(err)?;
    let r = verify_bundle(&bundle).map_err(err)?;
    ensure(r.operator == op2.id(), || "bundle follows the operator rotation".into())
}

/// `acts_as_of` sees only what was recorded by then.
pub fn bitemporal_reads(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let mut s = Symbols::new();
    for (r, want) in [(day(99), 0usize), (day(100), 0), (day(101), 1), (day(105), 5), (day(400), 9)] {
        let acts = l.acts_as_of(Some(r), &mut s).map_err(err)?;
        ensure(acts.len() == want, || format!("as of {}: {} acts, want {want}", r.display(), acts.len()))?;
        ensure(acts.iter().all(|a| a.recorded.is_some_and(|t| t <= r)), || "recorded time set and bounded".into())?;
    }
    Ok(())
}

/// Several handles append at once; the log stays one line.
pub fn concurrent_appenders(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    seeded(backend, name, &keys, &mut symbols)?;
    const THREADS: usize = 3;
    const EACH: u32 = 8;
    let results: Vec<Outcome> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let keys = &keys;
                s.spawn(move || -> Outcome {
                    let mut symbols = Symbols::new();
                    let mut l = Ledger::open(backend.open(name)?);
                    for n in 0..EACH {
                        let a = act(&mut symbols, &format!("t{t}n{n}"), "ARM", ActKind::Request, n, false);
                        // A fixed record time: concurrent appenders need not agree on a clock.
                        l.append_act(&a, &symbols, &keys.arm, day(300)).map_err(err)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("appender panicked".into()))).collect()
    });
    for r in results {
        r?;
    }
    let mut l = Ledger::open(backend.open(name)?);
    let report = l.verify(&mut |_, _| {}).map_err(err)?;
    ensure(report.entries == 10 + (THREADS as u64) * EACH as u64, || format!("{report:?}"))
}

/// Concurrent appenders through one group-commit writer, while another
/// handle (another process) appends directly: every acknowledged act
/// stands at the position it was acknowledged at, a refused request
/// leaves its group intact, a late clock is raised, and the log verifies.
pub fn group_commit(backend: &dyn Backend, name: &str) -> Outcome {
    use crate::group::GroupAppender;
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    seeded(backend, name, &keys, &mut symbols)?;
    const THREADS: usize = 4;
    const EACH: u32 = 10;
    const DIRECT: u32 = 5;
    let kr = &keys;
    let appender = GroupAppender::start(Ledger::open(backend.open(name)?)).map_err(err)?;
    let acked: Vec<Result<Vec<(String, u64)>, String>> = std::thread::scope(|s| {
        let mut handles = Vec::new();
        for t in 0..THREADS {
            let (keys, h) = (kr, appender.handle().map_err(err)?);
            handles.push(s.spawn(move || -> Result<Vec<(String, u64)>, String> {
                let mut symbols = Symbols::new();
                let mut out = Vec::new();
                for n in 0..EACH {
                    let id = format!("g{t}n{n}");
                    let a = act(&mut symbols, &id, "ARM", ActKind::Request, n, false);
                    let r = h.append_act(&a, &symbols, &keys.arm, day(300)).map_err(err)?;
                    if r.entries.end != r.entries.start + 1 || r.record_time < day(300) {
                        return Err(format!("acknowledgement {r:?}"));
                    }
                    out.push((id, r.entries.start));
                }
                Ok(out)
            }));
        }
        // A refusal in the middle of the traffic.
        let (keys, h) = (kr, appender.handle().map_err(err)?);
        handles.push(s.spawn(move || -> Result<Vec<(String, u64)>, String> {
            let mut symbols = Symbols::new();
            let a = act(&mut symbols, "forged", "ARM", ActKind::Request, 3, false);
            match h.append_act(&a, &symbols, &keys.kaz, day(300)) {
                Err(LedgerError::Refused(_)) => {}
                other => return Err(format!("an act by ARM signed with KAZ's key through the group: {other:?}")),
            }
            // A clock behind the log's: raised, never lowered.
            let a = act(&mut symbols, "late_clock", "KAZ", ActKind::Request, 3, false);
            let r = h.append_act(&a, &symbols, &keys.kaz, day(50)).map_err(err)?;
            if r.record_time < day(109) {
                return Err(format!("a record time went backwards: {r:?}"));
            }
            Ok(vec![("late_clock".into(), r.entries.start)])
        }));
        // Another process appending directly, serialized by the store's lock.
        let keys = kr;
        handles.push(s.spawn(move || -> Result<Vec<(String, u64)>, String> {
            let mut symbols = Symbols::new();
            let mut l = Ledger::open(backend.open(name)?);
            let mut out = Vec::new();
            for n in 0..DIRECT {
                let id = format!("direct{n}");
                let a = act(&mut symbols, &id, "KAZ", ActKind::Request, n, false);
                out.push((id, l.append_act(&a, &symbols, &keys.kaz, day(400)).map_err(err)?));
            }
            Ok(out)
        }));
        Ok::<_, String>(handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("appender panicked".into()))).collect())
    })?;
    let mut l = appender.finish().map_err(err)?;
    let mut fresh = Symbols::new();
    let acts = l.acts_as_of(None, &mut fresh).map_err(err)?;
    let mut total = 0;
    for list in acked {
        for (id, seq) in list? {
            total += 1;
            // Entry `seq` is act `seq - 1` (the genesis is entry 0, all else are acts).
            let got = acts.get(seq as usize - 1).map(|a| fresh.name(a.id).to_string());
            ensure(got.as_deref() == Some(id.as_str()), || format!("acknowledged {id} at entry {seq}, found {got:?}"))?;
        }
    }
    let want = 10 + THREADS as u64 * EACH as u64 + 1 + DIRECT as u64;
    ensure(total + 10 == want, || format!("{total} acknowledgements"))?;
    let report = Ledger::open(backend.open(name)?).verify(&mut |_, _| {}).map_err(err)?;
    ensure(report.entries == want, || format!("{report:?}, want {want} entries"))
}

/// A flipped byte inside an act's text: a bad signature at that entry.
pub fn tamper_flip_byte(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let mut raw = backend.raw(name)?;
    let mut bytes = raw.raw_get(4).map_err(err)?.ok_or("no entry 4")?;
    let at = find(&bytes, b"original text").ok_or("act text not found")?;
    bytes[at] ^= 0x20; // "Original text": still a valid act, differently signed
    raw.raw_put(4, &bytes).map_err(err)?;
    expect_tamper(&mut l, 4, |t| *t == Tamper::BadSignature, "flipped byte")?;
    // And a flipped byte in the framing: malformed.
    let mut bytes = raw.raw_get(4).map_err(err)?.ok_or("no entry 4")?;
    bytes[0] ^= 1;
    raw.raw_put(4, &bytes).map_err(err)?;
    expect_tamper(&mut l, 4, |t| matches!(t, Tamper::Malformed(_)), "flipped domain byte")
}

/// A deleted entry in the middle.
pub fn tamper_delete_entry(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    backend.raw(name)?.raw_delete(5).map_err(err)?;
    expect_tamper(&mut l, 5, |t| *t == Tamper::MissingEntry, "deleted entry")?;
    // Deleting and renumbering the rest so positions stay dense: still missing.
    let mut raw = backend.raw(name)?;
    for pos in 6..10 {
        let b = raw.raw_get(pos).map_err(err)?.ok_or("row")?;
        raw.raw_put(pos - 1, &b).map_err(err)?;
    }
    raw.raw_delete(9).map_err(err)?;
    expect_tamper(&mut Ledger::open(backend.open(name)?), 5, |t| *t == Tamper::MissingEntry, "deleted and renumbered")
}

/// Two entries swapped.
pub fn tamper_reorder(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let mut raw = backend.raw(name)?;
    let (a, b) = (raw.raw_get(3).map_err(err)?.ok_or("row 3")?, raw.raw_get(4).map_err(err)?.ok_or("row 4")?);
    raw.raw_put(3, &b).map_err(err)?;
    raw.raw_put(4, &a).map_err(err)?;
    expect_tamper(&mut l, 3, |t| *t == Tamper::Reordered { found: 4 }, "reordered")
}

/// The tail cut off after a checkpoint.
pub fn tamper_truncate(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    l.checkpoint(&keys.operator, day(200)).map_err(err)?;
    let mut raw = backend.raw(name)?;
    for pos in 7..10 {
        raw.raw_delete(pos).map_err(err)?;
    }
    let mut fresh = Ledger::open(backend.open(name)?);
    expect_tamper(&mut fresh, 7, |t| *t == Tamper::Truncated { checkpoint_size: 10, log_size: 7 }, "truncated")?;
    // The handle that had read the whole log refuses to go on, too.
    ensure(l.sync().is_err(), || "a handle synced over a truncated log".into())
}

/// History rewritten after a checkpoint, by someone holding every key: each
/// entry is validly signed and chained, only the checkpoint shows the fork.
pub fn tamper_fork_after_checkpoint(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    l.checkpoint(&keys.operator, day(200)).map_err(err)?;
    // The forger's log: the same first 6 entries, then other acts.
    let forged_name = format!("{name}_forged");
    let mut s2 = Symbols::new();
    let mut forged = seeded(backend, &forged_name, &keys, &mut s2)?;
    ensure(forged.len().map_err(err)? == 10, || "forged log".into())?;
    let mut fork = Ledger::open(backend.open(&forged_name)?);
    fork.sync().map_err(err)?;
    // Rebuild the forged log from entry 6 with different acts.
    backend.fresh(&forged_name)?;
    let mut rebuilt = Ledger::create(backend.open(&forged_name)?, "T", TREATY.as_bytes(), &keys.operator, &keys.registrations(), day(100))
        .map_err(err)?;
    for n in 1..10u32 {
        let (actor, key, sourced) = match n % 3 {
            0 => ("ARM", &keys.arm, false),
            1 => ("KAZ", &keys.kaz, false),
            _ => ("CSC", &keys.recorder, true),
        };
        let id = if n < 6 { format!("act{n}") } else { format!("forged{n}") };
        let a = act(&mut s2, &id, actor, ActKind::Request, n, sourced);
        rebuilt.append_act(&a, &s2, key, day(100 + n)).map_err(err)?;
    }
    let mut from = backend.raw(&forged_name)?;
    let mut to = backend.raw(name)?;
    let mut same_prefix = 0;
    for pos in 0..10 {
        let b = from.raw_get(pos).map_err(err)?.ok_or("forged row")?;
        if to.raw_get(pos).map_err(err)?.as_deref() == Some(&b[..]) {
            same_prefix += 1;
        }
        to.raw_put(pos, &b).map_err(err)?;
    }
    ensure(same_prefix == 6, || format!("the fork should share 6 entries, shares {same_prefix}"))?;
    match Ledger::open(backend.open(name)?).verify(&mut |_, _| {}) {
        Err(LedgerError::TamperedCheckpoint { size: 10, kind: Tamper::ForkAfterCheckpoint { checkpoint_size: 10 } }) => Ok(()),
        other => Err(format!("fork: expected a fork at the checkpoint of size 10, got {other:?}")),
    }
}

/// Two entries' signatures exchanged.
pub fn tamper_swap_signature(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let mut raw = backend.raw(name)?;
    // Entries 3 and 6 are both signed by ARM's key.
    let (mut a, mut b) = (raw.raw_get(3).map_err(err)?.ok_or("row 3")?, raw.raw_get(6).map_err(err)?.ok_or("row 6")?);
    let (la, lb) = (a.len(), b.len());
    let sig_a: Vec<u8> = a[la - 64..].to_vec();
    a[la - 64..].copy_from_slice(&b[lb - 64..]);
    b[lb - 64..].copy_from_slice(&sig_a);
    raw.raw_put(3, &a).map_err(err)?;
    raw.raw_put(6, &b).map_err(err)?;
    expect_tamper(&mut l, 3, |t| *t == Tamper::SwappedSignature { other: 6 }, "swapped signatures")
}

/// A checkpoint whose signature was altered.
pub fn tamper_checkpoint_signature(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let stranger = SecretKey::from_seed([9; 32]);
    // A checkpoint signed by a key that is not the operator's.
    let root = l.replay().frontier.root();
    let (_, bytes) = crate::entry::Checkpoint::sign(10, root, 0, &stranger);
    backend.open(name)?.put_checkpoint(10, &bytes).map_err(err)?;
    match l.verify(&mut |_, _| {}) {
        Err(LedgerError::TamperedCheckpoint { size: 10, kind: Tamper::BadCheckpoint(_) }) => Ok(()),
        other => Err(format!("expected a bad checkpoint, got {other:?}")),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The in-memory backend, for this crate's own run of the suite.
#[derive(Default)]
pub struct MemBackend {
    logs: std::sync::Mutex<std::collections::HashMap<String, crate::MemStore>>,
}

impl MemBackend {
    fn get(&self, name: &str) -> Result<crate::MemStore, String> {
        let mut logs = self.logs.lock().map_err(err)?;
        Ok(logs.entry(name.to_string()).or_default().clone())
    }
}

impl Backend for MemBackend {
    fn fresh(&self, name: &str) -> Result<(), String> {
        self.logs.lock().map_err(err)?.insert(name.to_string(), crate::MemStore::new());
        Ok(())
    }
    fn open(&self, name: &str) -> Result<Box<dyn Store>, String> {
        Ok(Box::new(self.get(name)?))
    }
    fn raw(&self, name: &str) -> Result<Box<dyn RawStore>, String> {
        Ok(Box::new(self.get(name)?))
    }
}
