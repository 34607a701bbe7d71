//! Live crisis exercises served beside the ledger.
//!
//! An exercise is a data directory: the normal SQLite ledger (the treaty in
//! its genesis, the starting record imported in record mode), the operator
//! key, and `exercise.json` beside it (the scenario with its injects, the
//! exercise clock, the roles with the SHA-256 of their join tokens and the
//! public keys registered through them). Evaluators' observations are kept
//! in `observations.jsonl`, beside the ledger and not in it.
//!
//! The trust model (docs/EXERCISE.md): each role joins through its own
//! one-time link; a delegation's browser creates its Ed25519 key
//! (non-extractable, WebCrypto) and sends only the public key, which the
//! server registers for that party through the ledger's key registry (a
//! key entry the operator signs). Every act is signed in the browser over
//! bytes the server prepares ([`api::prepare`]) and written through the
//! normal `POST /api/acts`, which checks it as it checks any signed write.
//! The server can refuse or delay an act; it cannot sign one for a party.
//!
//! - this file: the files of an exercise, its creation, and the shared state;
//! - [`api`]: the endpoints and their router;
//! - [`view`]: what each role sees, derived in scenario time.

pub mod api;
pub mod report_html;
pub mod view;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use casus_exercise::report::{MAX_OBSERVATION_CHARS, Observation};
use casus_exercise::{Clock, RoleKind, Scenario};
use casus_ledger::{KeyRegistration, KeyRole, Ledger, SecretKey, Store, hex_encode, sha256};
use casus_model::{Act, Record, Symbols, Time};
use serde::{Deserialize, Serialize};

/// The exercise's state file in its data directory.
pub const EXERCISE_FILE: &str = "exercise.json";
/// The exercise's ledger (SQLite) in its data directory.
pub const LEDGER_FILE: &str = "exercise.sqlite";
/// The operator key, which signs the genesis, key entries and checkpoints.
pub const OPERATOR_KEY_FILE: &str = "operator.key";
/// The scenario file, copied at creation.
pub const SCENARIO_FILE: &str = "scenario.md";
/// The starting record, copied at creation (read again for the report's history).
pub const RECORD_FILE: &str = "record.md";
/// Evaluators' observations, one JSON object a line.
pub const OBSERVATIONS_FILE: &str = "observations.jsonl";
/// Most observations kept.
pub const MAX_OBSERVATIONS: usize = 10_000;
/// Largest `exercise.json` read, in bytes.
pub const MAX_EXERCISE_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A role as the exercise keeps it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RoleEntry {
    pub name: String,
    pub kind: RoleKind,
    pub title: String,
    /// SHA-256 (hex) of the role's join token: the token itself is never stored.
    pub token_sha256: String,
    /// The public key (hex) registered through the join link, once it is.
    pub key: Option<String>,
}

/// `exercise.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExerciseFile {
    pub scenario: Scenario,
    pub clock: Clock,
    pub roles: Vec<RoleEntry>,
    /// Acts of the starting record imported at creation: the exercise's own acts follow them.
    pub starting_acts: usize,
    /// The time up to which the starting record was imported (`until`), for the report's history.
    pub until: Option<i64>,
}

/// A role and its join token, as `casus exercise new` prints them.
pub struct Invitation {
    pub role: RoleEntry,
    pub token: String,
}

/// A new random token: 32 bytes from the system's random source, in hex.
pub fn new_token() -> Result<String, String> {
    // An Ed25519 seed is 32 bytes from the operating system's random source.
    Ok(hex_encode(&SecretKey::generate().map_err(|e| e.to_string())?.seed()))
}

pub fn token_hash(token: &str) -> String {
    hex_encode(&sha256(token.as_bytes()))
}

/// Everything an exercise is created from.
pub struct NewExercise<'a> {
    pub scenario: Scenario,
    pub scenario_text: &'a str,
    pub treaty: (&'a str, &'a str),
    pub record: Option<(&'a str, &'a str)>,
    /// The starting record's acts the exercise opens with.
    pub starting: Vec<Act>,
    pub symbols: &'a Symbols,
}

/// Creates an exercise in `dir` (which holds the operator key already) and
/// its ledger in `store`: genesis, starting record, checkpoint; the clock
/// paused at the scenario's start; a token per role. Returns the tokens.
pub fn create(dir: &Path, store: Box<dyn Store>, new: NewExercise<'_>, operator: &SecretKey, now: i64) -> Result<Vec<Invitation>, String> {
    if dir.join(EXERCISE_FILE).exists() {
        return Err(format!("{} holds an exercise already", dir.display()));
    }
    let name = Path::new(new.treaty.0).file_name().map_or(new.treaty.0.to_string(), |n| n.to_string_lossy().into_owned());
    let time = Time(now);
    let mut ledger = Ledger::create(store, &name, new.treaty.1.as_bytes(), operator, &[] as &[KeyRegistration], time).map_err(|e| e.to_string())?;
    if !new.starting.is_empty() {
        let record = Record { title: "starting record".into(), acts: new.starting.clone() };
        ledger.import(&record, new.symbols, operator, time).map_err(|e| e.to_string())?;
    }
    ledger.checkpoint(operator, time).map_err(|e| e.to_string())?;
    let mut roles = Vec::new();
    let mut out = Vec::new();
    for r in &new.scenario.roles {
        let token = new_token()?;
        let entry = RoleEntry { name: r.name.clone(), kind: r.kind, title: r.title.clone(), token_sha256: token_hash(&token), key: None };
        roles.push(entry.clone());
        out.push(Invitation { role: entry, token });
    }
    let mut clock = Clock::new(now, new.scenario.start, new.scenario.rate);
    clock.pause(now);
    let file = ExerciseFile { until: new.scenario.until, scenario: new.scenario, clock, roles, starting_acts: new.starting.len() };
    write_atomic(&dir.join(SCENARIO_FILE), new.scenario_text.as_bytes())?;
    if let Some((_, text)) = new.record {
        write_atomic(&dir.join(RECORD_FILE), text.as_bytes())?;
    }
    save(dir, &file)?;
    Ok(out)
}

/// Writes a file whole or not at all (a temporary file renamed over it).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path)).map_err(|e| format!("writing {}: {e}", path.display()))
}

pub fn save(dir: &Path, file: &ExerciseFile) -> Result<(), String> {
    let json = serde_json::to_vec_pretty(file).map_err(|e| e.to_string())?;
    write_atomic(&dir.join(EXERCISE_FILE), &json)
}

pub fn load(dir: &Path) -> Result<ExerciseFile, String> {
    let path = dir.join(EXERCISE_FILE);
    let meta = std::fs::metadata(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    if meta.len() > MAX_EXERCISE_FILE_BYTES {
        return Err(format!("{} is over {MAX_EXERCISE_FILE_BYTES} bytes", path.display()));
    }
    let text = std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut f: ExerciseFile = serde_json::from_slice(&text).map_err(|e| format!("{} does not read: {e}", path.display()))?;
    // Spans are not kept; lookups are by name.
    f.scenario.roles.iter_mut().for_each(|r| r.span = Default::default());
    Ok(f)
}

/// Is `dir` an exercise's data directory?
pub fn is_exercise_dir(dir: &Path) -> bool {
    dir.join(EXERCISE_FILE).is_file()
}

/// A running exercise: its directory, its state file in memory, and the
/// operator key that registers the players' keys.
pub struct Exercise {
    pub dir: PathBuf,
    pub file: Mutex<ExerciseFile>,
    pub operator: SecretKey,
    /// Serialises appends to the observations file.
    pub observations: Mutex<()>,
}

impl Exercise {
    pub fn open(dir: &Path, operator: SecretKey) -> Result<Exercise, String> {
        Ok(Exercise { dir: dir.to_path_buf(), file: Mutex::new(load(dir)?), operator, observations: Mutex::new(()) })
    }

    /// The role whose token this is.
    pub fn role(&self, token: &str) -> Option<RoleEntry> {
        let h = token_hash(token);
        self.file.lock().ok()?.roles.iter().find(|r| r.token_sha256 == h).cloned()
    }

    /// Runs `f` on the state file and saves it.
    pub fn update<T>(&self, f: impl FnOnce(&mut ExerciseFile) -> Result<T, String>) -> Result<T, String> {
        let mut file = self.file.lock().map_err(|_| "the exercise's lock is poisoned".to_string())?;
        let mut copy = file.clone();
        let out = f(&mut copy)?;
        save(&self.dir, &copy)?;
        *file = copy;
        Ok(out)
    }

    pub fn snapshot(&self) -> Result<ExerciseFile, String> {
        self.file.lock().map(|f| f.clone()).map_err(|_| "the exercise's lock is poisoned".to_string())
    }

    /// The evaluators' observations, in the order written.
    pub fn observations(&self) -> Result<Vec<Observation>, String> {
        let path = self.dir.join(OBSERVATIONS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("reading {}: {e}", path.display())),
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .take(MAX_OBSERVATIONS)
            .map(|l| serde_json::from_str(l).map_err(|e| format!("{}: {e}", path.display())))
            .collect()
    }

    /// Appends an observation.
    pub fn observe(&self, o: &Observation) -> Result<(), String> {
        use std::io::Write;
        if o.text.trim().is_empty() || o.text.chars().count() > MAX_OBSERVATION_CHARS {
            return Err(format!("an observation holds 1 to {MAX_OBSERVATION_CHARS} characters"));
        }
        let _guard = self.observations.lock().map_err(|_| "the observations' lock is poisoned".to_string())?;
        if self.observations()?.len() >= MAX_OBSERVATIONS {
            return Err(format!("the exercise holds {MAX_OBSERVATIONS} observations already"));
        }
        let path = self.dir.join(OBSERVATIONS_FILE);
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(|e| format!("opening {}: {e}", path.display()))?;
        let mut line = serde_json::to_vec(o).map_err(|e| e.to_string())?;
        line.push(b'\n');
        f.write_all(&line).and_then(|_| f.sync_all()).map_err(|e| format!("writing {}: {e}", path.display()))
    }

    /// The historical acts after the starting record, up to the scenario's
    /// end, read with `symbols` against `treaty` (empty without a record or `until`).
    pub fn history(&self, file: &ExerciseFile, treaty: &casus_model::Treaty, symbols: &mut Symbols) -> Vec<Act> {
        let Some(until) = file.until else { return Vec::new() };
        let Ok(text) = std::fs::read_to_string(self.dir.join(RECORD_FILE)) else { return Vec::new() };
        let (record, _) = casus_lang::load_record("record.md", &text, treaty, symbols);
        let end = file.scenario.end.unwrap_or(i64::MAX);
        record.acts.into_iter().filter(|a| a.time.0 > until && a.time.0 <= end).collect()
    }
}

/// The key role a role's browser key is registered for: a delegation signs
/// its party's acts live; control records injects and ad-hoc acts; the
/// others sign nothing.
pub fn key_role(r: &RoleEntry) -> Option<KeyRole> {
    match r.kind {
        RoleKind::Delegation => Some(KeyRole::Party(r.name.clone())),
        RoleKind::Control => Some(KeyRole::Recorder),
        RoleKind::Observer | RoleKind::Evaluator => None,
    }
}
