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

use crate::entry::{EntryView, KeyChange};
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
            concurrent_appenders, group_commit, signed_elsewhere, statements, tamper_flip_byte, tamper_delete_entry, tamper_reorder,
            tamper_truncate, tamper_fork_after_checkpoint, tamper_swap_signature,
            tamper_checkpoint_signature, tamper_checkpoint_misfiled, live_act_times, key_changes_are_checkpointed,
            revocation_cut_off, checkpoint_notes, lone_checkpoint_notes, follower_adopts_its_candidate);
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
        sources: if sourced { vec![Citation { url: i("https://example.org/source"), title: i("A source") }].into() } else { Box::new([]) },
        ..Act::default()
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn ensure(cond: bool, what: impl FnOnce() -> String) -> Outcome {
    if cond { Ok(()) } else { Err(what()) }
}

/// A ledger of 10 entries: genesis (valid from day 100), then 9 acts,
/// record times day 100 + n: live by ARM and KAZ (dated the day they are
/// recorded), and recorded from sources by the recorder (dated day n).
pub fn seeded(backend: &dyn Backend, name: &str, keys: &Keys, symbols: &mut Symbols) -> Result<Ledger, String> {
    backend.fresh(name)?;
    let mut l = Ledger::create(backend.open(name)?, "T", TREATY.as_bytes(), &keys.operator, &keys.registrations(), day(100)).map_err(err)?;
    seed_acts(&mut l, keys, symbols, |n| format!("act{n}"))?;
    Ok(l)
}

/// The 9 acts of [`seeded`], with ids from `id`.
fn seed_acts(l: &mut Ledger, keys: &Keys, symbols: &mut Symbols, id: impl Fn(u32) -> String) -> Outcome {
    for n in 1..10u32 {
        let (actor, key, sourced, date) = match n % 3 {
            0 => ("ARM", &keys.arm, false, 100 + n),
            1 => ("KAZ", &keys.kaz, false, 100 + n),
            _ => ("CSC", &keys.recorder, true, n),
        };
        let a = act(symbols, &id(n), actor, ActKind::Request, date, sourced);
        l.append_act(&a, symbols, key, day(100 + n)).map_err(err)?;
    }
    Ok(())
}

fn expect_tamper(l: &mut Ledger, entry: u64, want: impl Fn(&Tamper) -> bool, what: &str) -> Outcome {
    match l.verify(&mut |_, _| {}) {
        Ok(_) => Err(format!("{what}: verify passed a tampered log")),
        Err(LedgerError::Tampered { entry: e, kind }) if e == entry && want(&kind) => Ok(()),
        Err(other) => Err(format!("{what}: expected tampering at entry {entry}, got: {other}")),
    }
}

/// Statements signed elsewhere (`casus/entry/v3`, as a client of the
/// server signs them) after the ones local appends signed: the ledger gives
/// them positions; a replayed or reordered sequence number, another
/// ledger's origin or a forged signer is refused by name; a v2 key entry
/// after them chains on them; the log verifies, strictly too, reopens, and
/// proves a v3 entry in a bundle.
pub fn statements(backend: &dyn Backend, name: &str) -> Outcome {
    use crate::entry::Mode;
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let origin = l.origin().map_err(err)?;
    // The seeded log's three acts by ARM were signed locally as statements 1, 2, 3.
    let seeded_last = l.replay().registry.last_sequence(&keys.arm.id());
    ensure(seeded_last == 3, || format!("ARM's local appends numbered up to {seeded_last}, not 3"))?;
    let acts: Vec<Act> = (0..4).map(|n| act(&mut symbols, &format!("stmt{n}"), "ARM", ActKind::Request, 120, false)).collect();
    let sign = |acts: &[Act], origin: &str, first: u64, key: &SecretKey| crate::signed_act_statements(origin, first, acts, &symbols, key, Mode::Live);
    let taken = sign(&acts[..1], &origin, 3, &keys.arm).map_err(err)?;
    match l.append_statements(&taken, day(120)) {
        Err(LedgerError::Rejected { entry: 10, kind: Tamper::SequenceOutOfOrder { last: 3, found: 3 } }) => {}
        other => return Err(format!("a number a local append used: {other:?}")),
    }
    let two = sign(&acts[..2], &origin, 4, &keys.arm).map_err(err)?;
    let range = l.append_statements(&two, day(120)).map_err(err)?;
    ensure(range == (10..12), || format!("statements appended at {range:?}, not 10..12"))?;
    let rejected = |r: Result<std::ops::Range<u64>, LedgerError>, want: &dyn Fn(&Tamper) -> bool, what: &str| match r {
        Err(LedgerError::Rejected { entry: 12, kind }) if want(&kind) => Ok(()),
        other => Err(format!("{what}: {other:?}")),
    };
    rejected(l.append_statements(&two[1..], day(120)), &|t| matches!(t, Tamper::SequenceOutOfOrder { last: 5, found: 5 }), "a replayed statement")?;
    let old = sign(&acts[2..3], &origin, 4, &keys.arm).map_err(err)?;
    rejected(l.append_statements(&old, day(120)), &|t| matches!(t, Tamper::SequenceOutOfOrder { last: 5, found: 4 }), "a reused sequence number")?;
    let elsewhere = sign(&acts[2..3], "casus.ledger/another", 6, &keys.arm).map_err(err)?;
    rejected(l.append_statements(&elsewhere, day(120)), &|t| matches!(t, Tamper::WrongLedger { .. }), "another ledger's statement")?;
    let forged = sign(&acts[2..3], &origin, 1, &keys.kaz).map_err(err)?;
    rejected(l.append_statements(&forged, day(120)), &|t| matches!(t, Tamper::WrongSigner(_)), "ARM's act signed by KAZ")?;
    let mut bad = sign(&acts[2..3], &origin, 6, &keys.arm).map_err(err)?;
    let at = bad[0].len() - 1;
    bad[0][at] ^= 1;
    rejected(l.append_statements(&bad, day(120)), &|t| matches!(t, Tamper::BadSignature), "a bad signature")?;
    // Gaps are allowed: a refused statement need not be signed again with its number.
    l.append_statements(&sign(&acts[2..4], &origin, 9, &keys.arm).map_err(err)?, day(120)).map_err(err)?;
    // A local append numbers after the client's statements.
    let local = act(&mut symbols, "local", "ARM", ActKind::Request, 120, false);
    ensure(l.append_act(&local, &symbols, &keys.arm, day(120)).map_err(err)? == 14, || "the local append after the statements".into())?;
    ensure(l.replay().registry.last_sequence(&keys.arm.id()) == 11, || "the local append took ARM's next number, 11".into())?;
    let other = SecretKey::from_seed([9; 32]);
    l.change_key(&KeyChange::Register(KeyRegistration { key: other.public(), role: KeyRole::Recorder }), &keys.operator, day(121)).map_err(err)?;
    for strict in [false, true] {
        let r = if strict { l.verify_strict(&mut |_, _| {}) } else { l.verify(&mut |_, _| {}) }.map_err(err)?;
        ensure(r.entries == 16 && r.acts == 14, || format!("verified {} entries, {} acts", r.entries, r.acts))?;
    }
    let mut again = Ledger::open(backend.open(name)?);
    ensure(again.sync().map_err(err)? == 16, || "a new handle replays the log".into())?;
    ensure(again.replay().registry.last_sequence(&keys.arm.id()) == 11, || "ARM's last sequence is 11".into())?;
    let bundle = again.proof_bundle(11).map_err(err)?;
    verify_bundle(&bundle).map_err(|e| format!("bundle of a v3 entry: {e}"))?;
    Ok(())
}

/// The server's write path: a follower of the stored log; a candidate made
/// from it lays out statements signed by a party; once they are stored the
/// follower adopts the candidate's state rather than applying the rules a
/// second time. It ends as a follower that followed the same entries one by
/// one (size, root, every leaf, the entries as decoded). A candidate made
/// from an older state, or the entries in another order, are refused and
/// change nothing.
pub fn follower_adopts_its_candidate(backend: &dyn Backend, name: &str) -> Outcome {
    use crate::entry::Mode;
    use crate::{Follower, SignedStatement};
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let origin = l.origin().map_err(err)?;
    let mut store = backend.open(name)?;
    let len = store.len().map_err(err)?;
    let stored = store.read_range(0, len).map_err(err)?;
    let follow_all = |extra: &[Vec<u8>]| -> Result<(Follower, Vec<crate::FollowedEntry>), String> {
        let (mut f, mut names) = (Follower::new(), Symbols::new());
        for (_, bytes) in &stored {
            f.follow(bytes, &mut names).map_err(err)?;
        }
        let followed = extra.iter().map(|b| f.follow(b, &mut names)).collect::<Result<Vec<_>, _>>().map_err(err)?;
        Ok((f, followed))
    };
    let (mut follower, _) = follow_all(&[])?;
    let acts: Vec<Act> = (0..3).map(|n| act(&mut symbols, &format!("adopt{n}"), "ARM", ActKind::Request, 120, false)).collect();
    let next = follower.last_sequence(&keys.arm.id()) + 1;
    let signed = crate::signed_act_statements(&origin, next, &acts, &symbols, &keys.arm, Mode::Live).map_err(err)?;
    let lay_out = |follower: &Follower| -> Result<(crate::Candidate, Vec<crate::CheckedEntry>), String> {
        let mut candidate = follower.candidate();
        let mut entries = Vec::new();
        let mut previous = None;
        for s in &signed {
            let statement = SignedStatement::parse(s.clone()).map_err(err)?;
            let sequence = statement.sequence;
            let checked = follower.check_statement(statement, previous).map_err(err)?;
            previous = Some(sequence);
            entries.push(candidate.lay_out(&checked, day(120).0).map_err(|(seq, t)| format!("entry {seq}: {t}"))?);
        }
        Ok((candidate, entries))
    };
    let (candidate, entries) = lay_out(&follower)?;
    let bytes: Vec<Vec<u8>> = entries.iter().map(|e| e.bytes().to_vec()).collect();
    let (one_by_one, want) = follow_all(&bytes)?;

    // Entries in another order: refused, nothing changes.
    let (size, root) = (follower.size(), follower.root());
    let (again, mut swapped) = lay_out(&follower)?;
    swapped.swap(0, 1);
    let mut names = Symbols::new();
    ensure(follower.adopt(again, &swapped, &mut names).is_err(), || "entries in another order were adopted".into())?;
    ensure((follower.size(), follower.root()) == (size, root), || "a refused adoption changed the follower".into())?;

    let got = follower.adopt(candidate, &entries, &mut names).map_err(err)?;
    ensure(follower.size() == one_by_one.size() && follower.root() == one_by_one.root(), || "adopted: another size or root".into())?;
    ensure(follower.leaves() == one_by_one.leaves(), || "adopted: other leaves".into())?;
    let key = |f: &crate::FollowedEntry| (f.seq, f.kind, f.mode, f.signer, f.signer_role.clone(), f.valid_time, f.record_time, f.leaf_hash, f.bytes);
    ensure(got.iter().map(key).eq(want.iter().map(key)), || "adopted entries decode otherwise than followed ones".into())?;
    ensure(follower.last_sequence(&keys.arm.id()) == next + 2, || "the key's sequence was not adopted".into())?;

    // A candidate of the state before: refused.
    let (old, _) = follow_all(&[])?;
    let (stale, stale_entries) = lay_out(&old)?;
    ensure(follower.adopt(stale, &stale_entries, &mut names).is_err(), || "a candidate of an older state was adopted".into())?;
    ensure(follower.size() == one_by_one.size(), || "a refused adoption changed the follower".into())?;
    Ok(())
}

/// Old-format act entries (`casus/entry/v2`, which clients signed over a
/// position and predecessor before statements, and which older ledgers and
/// their mirrors hold) appended as sent after the v3 acts local appends
/// write: accepted when they extend the log and verify; a forged signer, a
/// bad signature, a stale head or a replay is refused naming the entry, and
/// nothing is written. The mixed log (v2 genesis, v3 acts, v2 acts, a v3 act
/// after them) replays, verifies strictly and proves each kind in bundles.
pub fn signed_elsewhere(backend: &dyn Backend, name: &str) -> Outcome {
    use crate::entry::Mode;
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    l.sync().map_err(err)?;
    let head = |l: &Ledger| (l.replay().size, l.replay().prev);
    let acts: Vec<Act> = (0..3).map(|n| act(&mut symbols, &format!("client{n}"), "ARM", ActKind::Request, 120, false)).collect();
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
    // A local append after them is a statement again, chained on the v2 entries.
    let local = act(&mut symbols, "after-v2", "ARM", ActKind::Request, 120, false);
    ensure(l.append_act(&local, &symbols, &keys.arm, day(120)).map_err(err)? == size + 3, || "local append after the v2 entries".into())?;
    let stored = backend.open(name)?.read_range(0, size + 4).map_err(err)?;
    let versions = stored.iter().map(|(_, b)| EntryView::parse(b).map(|v| v.version)).collect::<Result<Vec<_>, _>>().map_err(err)?;
    let mut want = vec![2u8];
    want.extend(std::iter::repeat_n(3u8, size as usize - 1));
    want.extend([2, 2, 2, 3]);
    ensure(versions == want, || format!("entry versions {versions:?}, not {want:?}"))?;
    for strict in [false, true] {
        let report = if strict { l.verify_strict(&mut |_, _| {}) } else { l.verify(&mut |_, _| {}) }.map_err(err)?;
        ensure(report.entries == size + 4, || format!("{report:?}"))?;
    }
    l.checkpoint(&keys.operator, day(121)).map_err(err)?;
    for seq in [1, size, size + 3] {
        verify_bundle(&l.proof_bundle(seq).map_err(err)?).map_err(|e| format!("bundle of entry {seq}: {e}"))?;
    }
    let mut again = Ledger::open(backend.open(name)?);
    ensure(again.sync().map_err(err)? == size + 4, || "a new handle replays the mixed log".into())?;
    let read = again.acts_as_of(None, &mut symbols).map_err(err)?;
    ensure(read.iter().filter(|a| a.attestation == casus_model::Attestation::Actor).count() >= 4, || "live acts attested by the actor".into())
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
    let record = Record { title: "r".into(), acts: (0..5).map(|n| act(&mut symbols, &format!("rec{n}"), "RUS", ActKind::Statement, 20 + n, true)).collect() };
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
    let a = act(&mut symbols, "late", "ARM", ActKind::Request, 130, false);
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
    ensure(Ledger::create(backend.open(name)?, "T", b"x", &keys.operator, &[], day(300)).is_err(), || "a second genesis".into())?;
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
    let a = act(&mut symbols, "after", "ARM", ActKind::Request, 201, false);
    ensure(matches!(l.append_act(&a, &symbols, &keys.arm, day(201)), Err(LedgerError::Refused(_))), || "rotated key still signs".into())?;
    l.append_act(&a, &symbols, &arm2, day(201)).map_err(err)?;
    l.change_key(&KeyChange::Revoke { key: keys.kaz.id(), reason: "lost".into() }, &keys.operator, day(202)).map_err(err)?;
    let k = act(&mut symbols, "k", "KAZ", ActKind::Request, 204, false);
    ensure(matches!(l.append_act(&k, &symbols, &keys.kaz, day(203)), Err(LedgerError::Refused(_))), || "revoked key still signs".into())?;
    let new_kaz = SecretKey::from_seed([13; 32]);
    l.change_key(&KeyChange::Register(KeyRegistration { key: new_kaz.public(), role: KeyRole::Party("KAZ".into()) }), &keys.operator, day(204)).map_err(err)?;
    l.append_act(&k, &symbols, &new_kaz, day(205)).map_err(err)?;
    // The operator key rotates too (the new key checkpoints the rotation);
    // the old one may no longer checkpoint.
    let op2 = SecretKey::from_seed([14; 32]);
    ensure(
        matches!(l.change_key(&KeyChange::Rotate { old: keys.operator.id(), new: op2.public() }, &keys.operator, day(206)), Err(LedgerError::Refused(_))),
        || "an operator rotation with no new key to checkpoint it".into(),
    )?;
    l.rotate_operator(&keys.operator, &op2, day(206)).map_err(err)?;
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
                        let a = act(&mut symbols, &format!("t{t}n{n}"), "ARM", ActKind::Request, 300, false);
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
                    let a = act(&mut symbols, &id, "ARM", ActKind::Request, 300, false);
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
            let a = act(&mut symbols, "forged", "ARM", ActKind::Request, 300, false);
            match h.append_act(&a, &symbols, &keys.kaz, day(300)) {
                Err(LedgerError::Refused(_)) => {}
                other => return Err(format!("an act by ARM signed with KAZ's key through the group: {other:?}")),
            }
            // A clock behind the log's: raised, never lowered.
            let a = act(&mut symbols, "late_clock", "KAZ", ActKind::Request, 300, false);
            let r = h.append_act(&a, &symbols, &keys.kaz, Time(day(300).0 - 60)).map_err(err)?;
            if r.record_time < day(300) {
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
                let a = act(&mut symbols, &id, "KAZ", ActKind::Request, 300, false);
                out.push((id, l.append_act(&a, &symbols, &keys.kaz, day(300)).map_err(err)?));
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
    ensure(report.entries == want, || format!("{report:?}, want {want} entries"))?;
    // Every act is a statement, and each key's are numbered 1, 2, 3, … in
    // log order: the group and the direct appender (both signing with KAZ's
    // key) never took the same number, and the refused request took none.
    let mut numbers: std::collections::HashMap<crate::keys::KeyId, Vec<u64>> = std::collections::HashMap::new();
    for (pos, bytes) in backend.open(name)?.read_range(1, want).map_err(err)? {
        let view = EntryView::parse(&bytes).map_err(err)?;
        let sequence = view.sequence.ok_or_else(|| format!("entry {pos} is v{}, not a statement", view.version))?;
        numbers.entry(view.signer).or_default().push(sequence);
    }
    for (key, got) in numbers {
        let expected: Vec<u64> = (1..=got.len() as u64).collect();
        ensure(got == expected, || format!("key {key}'s sequence numbers {got:?}"))?;
    }
    Ok(())
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
    let mut rebuilt = Ledger::create(backend.open(&forged_name)?, "T", TREATY.as_bytes(), &keys.operator, &keys.registrations(), day(100)).map_err(err)?;
    seed_acts(&mut rebuilt, &keys, &mut s2, |n| if n < 6 { format!("act{n}") } else { format!("forged{n}") })?;
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

/// A checkpoint row stored under a tree size other than the one it signs
/// (copied, or moved): a tampering of its own kind.
pub fn tamper_checkpoint_misfiled(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    l.checkpoint(&keys.operator, day(200)).map_err(err)?;
    l.verify(&mut |_, _| {}).map_err(err)?;
    let mut store = backend.open(name)?;
    let rows = store.checkpoint_rows().map_err(err)?;
    let (_, bytes) = rows.iter().find(|(size, _)| *size == 10).ok_or("no checkpoint of size 10")?;
    // Copied under size 7.
    store.put_checkpoint(7, bytes).map_err(err)?;
    let want = Tamper::MisfiledCheckpoint { stored_at: 7, signed: 10 };
    match l.verify(&mut |_, _| {}) {
        Err(LedgerError::TamperedCheckpoint { size: 7, kind }) if kind == want => {}
        other => return Err(format!("copied checkpoint: expected {want}, got {other:?}")),
    }
    // Moved: the row of size 10 deleted, the copy under 7 kept.
    backend.raw(name)?.raw_delete_checkpoint(10).map_err(err)?;
    match l.verify(&mut |_, _| {}) {
        Err(LedgerError::TamperedCheckpoint { size: 7, kind }) if kind == want => Ok(()),
        other => Err(format!("moved checkpoint: expected {want}, got {other:?}")),
    }
}

/// Live acts cannot rewrite the past nor sign the future: a live act dated
/// more than a day before its record time, more than five minutes after
/// it, or before the genesis's valid time (the treaty's first version) is
/// refused, by `append`, by `append_statements` (a client's statements)
/// and, when written past the rules (an old-format v2 entry), by `verify`.
/// The same history enters in record mode.
pub fn live_act_times(backend: &dyn Backend, name: &str) -> Outcome {
    use crate::entry::Mode;
    use crate::{LIVE_ACT_MAX_AGE_SECS, LIVE_ACT_MAX_LEAD_SECS};
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    backend.fresh(name)?;
    // The ledger made on day 100; the treaty's first version in force on day 150.
    let mut l =
        Ledger::create_valid_from(backend.open(name)?, "T", TREATY.as_bytes(), &keys.operator, &keys.registrations(), day(150), day(100)).map_err(err)?;
    let now = day(200);
    let at = |secs: i64| {
        let mut a = act(&mut Symbols::new(), "x", "ARM", ActKind::Request, 0, false);
        a.time = Time(secs);
        a
    };
    let cases = [
        ("backdated a year", at(now.0 - 365 * 86_400)),
        ("backdated a day and a second", at(now.0 - LIVE_ACT_MAX_AGE_SECS - 1)),
        ("dated six minutes ahead", at(now.0 + LIVE_ACT_MAX_LEAD_SECS + 60)),
        ("dated in the year 9999", Act { time: Time::from_date(9999, 12, 31), ..at(0) }),
        ("dated in the year 1", Act { time: Time::from_date(1, 1, 1), ..at(0) }),
        ("dated at the far ends of time", Act { time: Time::MIN, ..at(0) }),
    ];
    for (what, mut a) in cases {
        a.id = symbols.intern("x");
        a.actor = symbols.intern("ARM");
        match l.append_act(&a, &symbols, &keys.arm, now) {
            Err(LedgerError::Refused(why)) if why.contains("dishonest time") => {}
            other => return Err(format!("live act {what}: expected a refusal, got {other:?}")),
        }
        let origin = l.origin().map_err(err)?;
        let next = l.replay().registry.last_sequence(&keys.arm.id()) + 1;
        let signed = crate::signed_act_statements(&origin, next, std::slice::from_ref(&a), &symbols, &keys.arm, Mode::Live).map_err(err)?;
        match l.append_statements(&signed, now) {
            Err(LedgerError::Rejected { kind: Tamper::LiveActTime(_), .. }) => {}
            other => return Err(format!("signed elsewhere, {what}: expected a rejection, got {other:?}")),
        }
    }
    // Before the treaty's first version, even when recorded then.
    let early = act(&mut symbols, "early", "ARM", ActKind::Request, 120, false);
    match l.append_act(&early, &symbols, &keys.arm, day(120)) {
        Err(LedgerError::Refused(why)) if why.contains("before the treaty's first version") => {}
        other => return Err(format!("a live act before the treaty: {other:?}")),
    }
    ensure(l.len().map_err(err)? == 1, || "a refusal wrote something".into())?;
    // At the bounds: accepted.
    let mut on_time = at(now.0 - LIVE_ACT_MAX_AGE_SECS);
    on_time.actor = symbols.intern("ARM");
    l.append_act(&on_time, &symbols, &keys.arm, now).map_err(err)?;
    let mut ahead = at(now.0 + LIVE_ACT_MAX_LEAD_SECS);
    ahead.actor = symbols.intern("ARM");
    l.append_act(&ahead, &symbols, &keys.arm, now).map_err(err)?;
    // History enters in record mode: the same year-old act, with a source.
    let mut history = act(&mut symbols, "history", "ARM", ActKind::Request, 20, true);
    history.time = Time(now.0 - 365 * 86_400);
    l.append_act(&history, &symbols, &keys.recorder, now).map_err(err)?;
    l.verify(&mut |_, _| {}).map_err(err)?;
    // A backdated live act written past the rules (by someone with the
    // party's key and the database): `verify` names it.
    let size = l.len().map_err(err)?;
    let backdated = at(now.0 - 365 * 86_400);
    let mut s = Symbols::new();
    let backdated = Act {
        id: s.intern("rewrite"),
        actor: s.intern("ARM"),
        subject: s.intern("assistance"),
        under: s.intern("art4"),
        to: s.intern("CSC"),
        text: s.intern("t"),
        ..backdated
    };
    let signed = crate::signed_act_entries(size, l.replay().prev, &[backdated], &s, &keys.arm, Mode::Live, now).map_err(err)?;
    backend.raw(name)?.raw_put(size, &signed[0]).map_err(err)?;
    expect_tamper(&mut Ledger::open(backend.open(name)?), size, |t| matches!(t, Tamper::LiveActTime(_)), "a backdated live act")
}

/// Key changes and imports are covered by a checkpoint from the moment
/// they are written: a proof works at once, and `verify` reports every
/// entry covered.
pub fn key_changes_are_checkpointed(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let report = l.verify(&mut |_, _| {}).map_err(err)?;
    ensure(report.covered == 0 && report.checkpoints == 0, || format!("nothing covered yet: {report:?}"))?;
    ensure(l.proof_bundle(9).is_err(), || "a proof with no checkpoint".into())?;
    let record = Record { title: "r".into(), acts: (0..3).map(|n| act(&mut symbols, &format!("rec{n}"), "RUS", ActKind::Statement, 20 + n, true)).collect() };
    let range = l.import_checkpointed(&record, &symbols, &keys.recorder, &keys.operator, day(150)).map_err(err)?;
    let bundle = l.proof_bundle(range.end - 1).map_err(err)?;
    verify_bundle(&bundle).map_err(|e| format!("proof right after an import: {e}"))?;
    let report = l.verify(&mut |_, _| {}).map_err(err)?;
    ensure(report.covered == report.entries && report.entries == 13, || format!("the import covered: {report:?}"))?;
    let extra = SecretKey::from_seed([21; 32]);
    for change in [
        KeyChange::Register(KeyRegistration { key: extra.public(), role: KeyRole::Recorder }),
        KeyChange::Rotate { old: extra.id(), new: SecretKey::from_seed([22; 32]).public() },
        KeyChange::Revoke { key: keys.kaz.id(), reason: "lost".into() },
    ] {
        let seq = l.change_key(&change, &keys.operator, day(160)).map_err(err)?;
        let sizes: Vec<u64> = l.checkpoints().map_err(err)?.iter().map(|c| c.size).collect();
        ensure(sizes.contains(&(seq + 1)), || format!("{:?} at entry {seq}: checkpoints {sizes:?}", change.kind()))?;
        let report = l.verify(&mut |_, _| {}).map_err(err)?;
        ensure(report.covered == seq + 1, || format!("{report:?}"))?;
    }
    // An act after them is not covered until the next checkpoint.
    let a = act(&mut symbols, "after", "ARM", ActKind::Request, 161, false);
    l.append_act(&a, &symbols, &keys.arm, day(161)).map_err(err)?;
    let report = l.verify(&mut |_, _| {}).map_err(err)?;
    ensure(report.covered == report.entries - 1 && report.last_record_time == day(161).0, || format!("{report:?}"))
}

/// The attack a checkpoint in the same commit stops: a revocation cut off
/// the log with everything after it, then an entry signed by the revoked
/// key appended in its place. `verify` catches it at the checkpoint.
pub fn revocation_cut_off(backend: &dyn Backend, name: &str) -> Outcome {
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let revoked_at = l.change_key(&KeyChange::Revoke { key: keys.kaz.id(), reason: "stolen".into() }, &keys.operator, day(202)).map_err(err)?;
    let a = act(&mut symbols, "after", "ARM", ActKind::Request, 203, false);
    l.append_act(&a, &symbols, &keys.arm, day(203)).map_err(err)?;
    let mut raw = backend.raw(name)?;
    for pos in (revoked_at..revoked_at + 2).rev() {
        raw.raw_delete(pos).map_err(err)?;
    }
    // The thief, with KAZ's revoked key and the database: the log as it was
    // before the revocation takes its act.
    let mut thief = Ledger::open(backend.open(name)?);
    let forged = act(&mut symbols, "forged", "KAZ", ActKind::Request, 204, false);
    match thief.append_act(&forged, &symbols, &keys.kaz, day(204)) {
        Ok(seq) => ensure(seq == revoked_at, || format!("forged act at {seq}"))?,
        // Refusing is as good as catching.
        Err(_) => return Ok(()),
    }
    for strict in [false, true] {
        let mut fresh = Ledger::open(backend.open(name)?);
        let result = if strict { fresh.verify_strict(&mut |_, _| {}) } else { fresh.verify(&mut |_, _| {}) };
        match result {
            Err(LedgerError::TamperedCheckpoint { kind: Tamper::ForkAfterCheckpoint { checkpoint_size }, .. }) if checkpoint_size == revoked_at + 1 => {}
            other => return Err(format!("strict {strict}: the cut-off revocation went unseen: {other:?}")),
        }
    }
    Ok(())
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

/// Every checkpoint is also a C2SP checkpoint note with the ledger's
/// origin, signed by the operator and stored beside it (in the same commit
/// for key changes); a cosigned note is stored only when the cosigning
/// succeeds, and bundles carry the most cosigned one, which
/// `verify_bundle_witnessed` counts against a quorum. A note that states
/// another root, is signed by another key, or is filed under another size
/// is tampering; a checkpoint stored without a note (as before notes
/// existed) still verifies, and its bundle is a v1 bundle.
pub fn checkpoint_notes(backend: &dyn Backend, name: &str) -> Outcome {
    use crate::checkpoint_note::{TreeHead, ledger_origin, operator_note_signer, operator_note_verifier};
    use crate::note::{Note, NoteSigner, SignatureType};
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let genesis = crate::merkle::leaf_hash(&backend.open(name)?.read_range(0, 1).map_err(err)?.pop().ok_or("no genesis")?.1);
    let origin = l.origin().map_err(err)?;
    ensure(origin == ledger_origin(&genesis) && origin.starts_with("casus.ledger/") && origin.len() == 13 + 64, || origin.clone())?;
    let op_key = operator_note_verifier(&origin, &keys.operator.public()).map_err(err)?;

    l.checkpoint(&keys.operator, day(200)).map_err(err)?;
    let notes = l.checkpoint_notes().map_err(err)?;
    ensure(notes.len() == 1 && notes[0].0 == 10, || format!("{notes:?}"))?;
    let (note, _) = Note::open(&notes[0].1, std::slice::from_ref(&op_key)).map_err(err)?;
    let head = TreeHead::parse_body(&note.text).map_err(err)?;
    ensure(head == TreeHead::new(&origin, 10, l.replay().frontier.root()), || format!("{head:?}"))?;
    let report = l.verify(&mut |_, _| {}).map_err(err)?;
    ensure(report.checkpoint_notes == 1, || format!("{report:?}"))?;

    // A key change's checkpoint carries its note in the same commit.
    let extra = SecretKey::from_seed([31; 32]);
    let seq = l.change_key(&KeyChange::Register(KeyRegistration { key: extra.public(), role: KeyRole::Recorder }), &keys.operator, day(201)).map_err(err)?;
    let sizes: Vec<u64> = l.checkpoint_notes().map_err(err)?.iter().map(|(s, _)| *s).collect();
    ensure(sizes == [10, seq + 1], || format!("{sizes:?}"))?;

    // Cosigned: two witnesses sign; the proof function gives valid proofs.
    let witnesses: Vec<NoteSigner> =
        (0..3u8).map(|i| NoteSigner::from_seed(&format!("w{i}.example"), SignatureType::CosignatureV1, [40 + i; 32])).collect::<Result<_, _>>().map_err(err)?;
    let a = act(&mut symbols, "cosigned", "ARM", ActKind::Request, 202, false);
    l.append_act(&a, &symbols, &keys.arm, day(202)).map_err(err)?;
    let leaves = l.replay().leaves.clone().ok_or("no leaves")?;
    let size = leaves.len() as u64;
    let (_, cosigned) = l
        .checkpoint_cosigned(&keys.operator, day(203), &mut |note, n, proof| {
            let p = proof(5).ok_or_else(|| LedgerError::State("no proof from 5".into()))?;
            let ok = crate::merkle::verify_consistency(5, n, &crate::merkle::root(&leaves[..5]), &crate::merkle::root(&leaves), &p);
            if !ok || proof(0) != Some(Vec::new()) || proof(n) != Some(Vec::new()) || proof(n + 1).is_some() {
                return Err(LedgerError::State("bad consistency proofs".into()));
            }
            let mut out = note.clone();
            for w in &witnesses[..2] {
                out.signatures.push(w.cosign(&note.text, 1_764_590_400)?);
            }
            Ok(out)
        })
        .map_err(err)?;
    ensure(cosigned.signatures.len() == 3, || cosigned.to_text())?;
    let stored = l.checkpoint_notes().map_err(err)?;
    ensure(stored.last().is_some_and(|(s, b)| *s == size && *b == cosigned.to_text().into_bytes()), || format!("{stored:?}"))?;
    // A failed cosigning stores nothing.
    let a = act(&mut symbols, "refused", "ARM", ActKind::Request, 204, false);
    l.append_act(&a, &symbols, &keys.arm, day(204)).map_err(err)?;
    let before = (l.checkpoints().map_err(err)?.len(), l.checkpoint_notes().map_err(err)?.len());
    let failed = l.checkpoint_cosigned(&keys.operator, day(205), &mut |_, _, _| Err(LedgerError::Refused("quorum not reached".into())));
    ensure(failed.is_err(), || "a failed cosigning succeeded".into())?;
    let after = (l.checkpoints().map_err(err)?.len(), l.checkpoint_notes().map_err(err)?.len());
    ensure(before == after, || format!("{before:?} -> {after:?}"))?;
    // A note whose operator signature was replaced is refused.
    let forged = l.checkpoint_cosigned(&keys.operator, day(205), &mut |note, _, _| {
        let mut out = note.clone();
        out.signatures = vec![witnesses[0].cosign(&note.text, 1)?];
        Ok(out)
    });
    ensure(forged.is_err(), || "a note without the operator's signature was stored".into())?;

    // The bundle of entry 3 carries the cosigned note.
    let bundle = l.proof_bundle(3).map_err(err)?;
    ensure(bundle.starts_with(crate::bundle::BUNDLE_DOMAIN_V2), || "not a v2 bundle".into())?;
    let wv: Vec<_> = witnesses.iter().map(NoteSigner::verifier).collect();
    let r = crate::verify_bundle_witnessed(&bundle, &wv, 2).map_err(err)?;
    ensure(r.cosignatures.len() == 2 && r.checkpoint.size == size && r.origin == origin, || format!("{r:?}"))?;
    ensure(crate::verify_bundle_witnessed(&bundle, &wv, 3).is_err(), || "quorum 3 of 2 cosignatures".into())?;
    ensure(crate::verify_bundle_witnessed(&bundle, &wv[2..], 1).is_err(), || "a witness that did not sign".into())?;
    ensure(verify_bundle(&bundle).is_ok_and(|r| r.note.is_some()), || "v2 bundle without a policy".into())?;

    // A checkpoint stored without a note, as before notes: verifies, and
    // its bundle is v1 (and counts no witness).
    let len = l.len().map_err(err)?;
    let (_, bytes) = crate::entry::Checkpoint::sign(len, l.replay().frontier.root(), day(206).0, &keys.operator);
    backend.open(name)?.put_checkpoint(len, &bytes).map_err(err)?;
    l.verify(&mut |_, _| {}).map_err(err)?;
    let old = l.proof_bundle(len - 1).map_err(err)?;
    ensure(old.starts_with(crate::bundle::BUNDLE_DOMAIN), || "not a v1 bundle".into())?;
    ensure(verify_bundle(&old).is_ok_and(|r| r.note.is_none()), || "v1 bundle".into())?;
    ensure(crate::verify_bundle_witnessed(&old, &wv, 1).is_err(), || "a v1 bundle met a quorum".into())?;

    // A page of the newest checkpoints, each with its note if one is stored
    // (the last, stored without, has none): what the whole lists give.
    let mut store = backend.open(name)?;
    let (rows, all_notes) = (store.checkpoint_rows().map_err(err)?, store.checkpoint_note_rows().map_err(err)?);
    ensure(rows.len() >= 4, || format!("{} checkpoints", rows.len()))?;
    for (below, limit) in [(u64::MAX, 100), (u64::MAX, 2), (len, 1), (size + 1, 2), (seq + 1, 5), (10, 3), (u64::MAX, 0)] {
        let page = store.checkpoint_rows_tail(below, limit).map_err(err)?;
        let end = rows.iter().filter(|(s, _)| *s < below).count();
        let want: Vec<crate::store::CheckpointRow> = rows[end.saturating_sub(limit)..end]
            .iter()
            .map(|(s, b)| (*s, b.clone(), all_notes.iter().find(|(n, _)| n == s).map(|(_, note)| note.clone())))
            .collect();
        ensure(page == want, || format!("the newest {limit} below {below}: {page:?}, not {want:?}"))?;
    }
    let newest = store.checkpoint_rows_tail(u64::MAX, 1).map_err(err)?;
    ensure(newest.len() == 1 && newest[0].0 == len && newest[0].2.is_none(), || format!("{newest:?}"))?;

    // Tampering with notes.
    let signer = operator_note_signer(&origin, &keys.operator).map_err(err)?;
    let other_root = TreeHead::new(&origin, 10, [7; 32]).sign(&signer).map_err(err)?;
    backend.open(name)?.put_checkpoint_note(10, other_root.to_text().as_bytes()).map_err(err)?;
    match l.verify(&mut |_, _| {}) {
        Err(LedgerError::TamperedCheckpoint { size: 10, kind: Tamper::ForkAfterCheckpoint { checkpoint_size: 10 } }) => {}
        other => return Err(format!("a note with another root: {other:?}")),
    }
    let stranger = operator_note_signer(&origin, &SecretKey::from_seed([9; 32])).map_err(err)?;
    let forged = TreeHead::new(&origin, 10, head.root).sign(&stranger).map_err(err)?;
    backend.open(name)?.put_checkpoint_note(10, forged.to_text().as_bytes()).map_err(err)?;
    match l.verify(&mut |_, _| {}) {
        Err(LedgerError::TamperedCheckpoint { size: 10, kind: Tamper::BadCheckpoint(_) }) => {}
        other => return Err(format!("a note signed by another key: {other:?}")),
    }
    backend.open(name)?.put_checkpoint_note(10, &notes[0].1).map_err(err)?;
    l.verify(&mut |_, _| {}).map_err(err)?;
    backend.open(name)?.put_checkpoint_note(7, &notes[0].1).map_err(err)?;
    match l.verify(&mut |_, _| {}) {
        Err(LedgerError::TamperedCheckpoint { size: 7, kind: Tamper::MisfiledCheckpoint { stored_at: 7, signed: 10 } }) => Ok(()),
        other => Err(format!("a misfiled note: {other:?}")),
    }
}

/// A checkpoint note may stand alone, with no `casus/checkpoint/v1` beside
/// it (what a mirror keeps: tiles serve notes only). `add_checkpoint_note`
/// stores one only for the log as it is (origin, size, root, the operator's
/// signature); `verify` checks it against the root at its size and counts it
/// as covering the log; a lone note of another root is a fork, one of a
/// larger size than the log a truncation.
pub fn lone_checkpoint_notes(backend: &dyn Backend, name: &str) -> Outcome {
    use crate::checkpoint_note::{TreeHead, operator_note_signer};
    let keys = Keys::new();
    let mut symbols = Symbols::new();
    let mut l = seeded(backend, name, &keys, &mut symbols)?;
    let origin = l.origin().map_err(err)?;
    let signer = operator_note_signer(&origin, &keys.operator).map_err(err)?;
    let root = l.replay().frontier.root();
    let good = TreeHead::new(&origin, 10, root).sign(&signer).map_err(err)?.to_text();
    // Only for the log as it is: another size, another root, another signer are refused.
    let stale = TreeHead::new(&origin, 9, root).sign(&signer).map_err(err)?.to_text();
    ensure(l.add_checkpoint_note(stale.as_bytes()).is_err(), || "a note of another size was stored".into())?;
    let forked = TreeHead::new(&origin, 10, [7; 32]).sign(&signer).map_err(err)?.to_text();
    ensure(l.add_checkpoint_note(forked.as_bytes()).is_err(), || "a note of another root was stored".into())?;
    let other = operator_note_signer(&origin, &keys.arm).map_err(err)?;
    let foreign = TreeHead::new(&origin, 10, root).sign(&other).map_err(err)?.to_text();
    ensure(l.add_checkpoint_note(foreign.as_bytes()).is_err(), || "a note signed by a party key was stored".into())?;
    ensure(l.add_checkpoint_note(good.as_bytes()).map_err(err)? == 10, || "stored at the wrong size".into())?;
    let report = l.verify(&mut |_, _| {}).map_err(err)?;
    ensure(report.checkpoint_notes == 1 && report.covered == 10 && report.checkpoints == 0, || format!("{report:?}"))?;
    // Written past the rules: a fork and a truncation.
    let mut store = backend.open(name)?;
    store.put_checkpoint_note(9, forked.replace("\n10\n", "\n9\n").as_bytes()).map_err(err)?;
    match l.verify(&mut |_, _| {}) {
        Err(LedgerError::TamperedCheckpoint { size: 9, .. }) => {}
        other => return Err(format!("a lone note of size 9 with a forged root: {other:?}")),
    }
    let forked9 = TreeHead::new(&origin, 9, [7; 32]).sign(&signer).map_err(err)?.to_text();
    store.put_checkpoint_note(9, forked9.as_bytes()).map_err(err)?;
    match l.verify(&mut |_, _| {}) {
        Err(LedgerError::TamperedCheckpoint { size: 9, kind: Tamper::ForkAfterCheckpoint { checkpoint_size: 9 } }) => {}
        other => return Err(format!("a lone note of size 9 with another root: {other:?}")),
    }
    let root9 = crate::merkle::root(&l.replay().leaves.clone().ok_or("no leaves")?[..9]);
    store.put_checkpoint_note(9, TreeHead::new(&origin, 9, root9).sign(&signer).map_err(err)?.to_text().as_bytes()).map_err(err)?;
    l.verify(&mut |_, _| {}).map_err(err)?;
    let ahead = TreeHead::new(&origin, 12, root).sign(&signer).map_err(err)?.to_text();
    store.put_checkpoint_note(12, ahead.as_bytes()).map_err(err)?;
    match l.verify(&mut |_, _| {}) {
        Err(LedgerError::TamperedCheckpoint { size: 12, kind: Tamper::Truncated { checkpoint_size: 12, log_size: 10 } }) => Ok(()),
        other => Err(format!("a lone note of size 12 over a log of 10: {other:?}")),
    }
}
