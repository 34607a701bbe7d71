//! The client side of the server: a small blocking HTTP/1.1 client and the
//! signing of acts for `POST /api/acts`.
//!
//! It exists so that `casus act`, `casus sign` and `casus refuse` can write
//! to a server with a key file, and so that the tests drive the same code.
//! Plain `http://` only (a server meant for the internet sits behind a TLS
//! proxy); one request per connection, which is all a command line needs.
//!
//! Signing: fetch `/api/head` (with the key's last sequence number) and
//! `/api/treaty`, parse the act file against the treaty, encode each act
//! (`casus/act/v1`, or `v2` with extensions), sign one statement per act for the ledger's origin
//! with the key's next sequence numbers (`casus/statement/v1`), post them.
//! The server gives them their positions, so a writer never loses a race
//! for the head. Only a server checking as many writes as it takes (503
//! `busy`), or another writer using the same key at the same moment (409
//! `sequence`), is worth another try: waits grow exponentially with random
//! jitter, until [`WRITE_DEADLINE`].

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use casus_ledger::{KeyFile, KeyRole, Mode, hex_encode};
use casus_model::{Symbols, Time};

use crate::api::HeadBody;
use crate::ingest::{Appended, SignedActs};

/// Largest response read, in bytes.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
/// How long a writer keeps trying while the server is busy.
pub const WRITE_DEADLINE: Duration = Duration::from_secs(30);
/// The first wait before trying again; it doubles each
/// time, up to [`RETRY_WAIT_MAX`], and each wait is drawn at random
/// between half and all of it.
pub const RETRY_WAIT_FIRST: Duration = Duration::from_millis(20);
/// The longest wait between two attempts.
pub const RETRY_WAIT_MAX: Duration = Duration::from_secs(1);
/// Most attempts within the deadline (a bound on the loop).
pub const MAX_ATTEMPTS: usize = 1000;

/// A server's address: `http://HOST:PORT[/prefix]`.
#[derive(Clone, Debug)]
pub struct Server {
    pub host: String,
    pub prefix: String,
    pub token: Option<String>,
}

/// A response: status and body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Reply {
    /// The error message of a JSON error body, or the body as text.
    pub fn message(&self) -> String {
        let v: Option<serde_json::Value> = serde_json::from_slice(&self.body).ok();
        match v.as_ref().and_then(|v| v.get("error")) {
            Some(e) => {
                let mut m = format!("{} ({}): {}", self.status, e["code"].as_str().unwrap_or(""), e["message"].as_str().unwrap_or(""));
                if let Some(d) = e.get("details").and_then(|d| d.as_array()) {
                    for line in d {
                        m.push_str("\n  ");
                        m.push_str(line.as_str().unwrap_or(""));
                    }
                }
                m
            }
            None => format!("{}: {}", self.status, String::from_utf8_lossy(&self.body)),
        }
    }
    pub fn code(&self) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        v.get("error")?.get("code")?.as_str().map(str::to_string)
    }
}

impl Server {
    pub fn parse(url: &str, token: Option<String>) -> Result<Server, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| format!("`{url}`: the server URL must start with http://"))?;
        let (host, prefix) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        if host.is_empty() {
            return Err(format!("`{url}` names no host"));
        }
        let host = if host.contains(':') { host.to_string() } else { format!("{host}:80") };
        Ok(Server { host, prefix: prefix.to_string(), token })
    }

    /// One request; the connection is closed after it.
    pub fn request(&self, method: &str, path: &str, body: Option<&[u8]>) -> Result<Reply, String> {
        let mut stream = TcpStream::connect(&self.host).map_err(|e| format!("connecting to {}: {e}", self.host))?;
        stream.set_read_timeout(Some(Duration::from_secs(60))).ok();
        let mut head = format!("{method} {}{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAccept: application/json\r\n", self.prefix, self.host);
        if let Some(t) = &self.token {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        if let Some(b) = body {
            head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", b.len()));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(body.unwrap_or(&[]));
        stream.write_all(&out).map_err(|e| format!("sending to {}: {e}", self.host))?;
        let mut buf = Vec::new();
        stream.take(MAX_RESPONSE_BYTES as u64).read_to_end(&mut buf).map_err(|e| format!("reading from {}: {e}", self.host))?;
        parse_response(&buf)
    }

    pub fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, String> {
        let r = self.request("GET", path, None)?;
        if r.status != 200 {
            return Err(r.message());
        }
        serde_json::from_slice(&r.body).map_err(|e| format!("GET {path}: unexpected answer: {e}"))
    }
}

/// Parses an HTTP/1.1 response read to the end (with `Connection: close`).
pub fn parse_response(buf: &[u8]) -> Result<Reply, String> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").ok_or("the server's answer has no header end")?;
    let head = std::str::from_utf8(&buf[..end]).map_err(|_| "the server's headers are not text")?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).ok_or("no status line")?;
    let mut chunked = false;
    for l in lines {
        if let Some((k, v)) = l.split_once(':')
            && k.eq_ignore_ascii_case("transfer-encoding")
            && v.trim().eq_ignore_ascii_case("chunked")
        {
            chunked = true;
        }
    }
    let raw = &buf[end + 4..];
    let body = if chunked { dechunk(raw)? } else { raw.to_vec() };
    Ok(Reply { status, body })
}

fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n").ok_or("bad chunk")?;
        let size_text = std::str::from_utf8(&raw[..eol]).map_err(|_| "bad chunk size")?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16).map_err(|_| "bad chunk size")?;
        raw = &raw[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if size.checked_add(2).is_none_or(|n| raw.len() < n) {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

/// The treaty as the client needs it to parse act files.
#[derive(serde::Deserialize)]
struct TreatyText {
    name: String,
    text: String,
}

/// A treaty loaded by the client, to sign acts against.
pub struct ClientTreaty {
    pub treaty: casus_model::Treaty,
    pub symbols: Symbols,
}

pub fn fetch_treaty(server: &Server) -> Result<ClientTreaty, String> {
    let t: TreatyText = server.get_json("/api/treaty")?;
    let mut symbols = Symbols::new();
    let (treaty, diags) = casus_lang::load_treaty(&t.name, &t.text, &mut symbols);
    if diags.iter().any(|d| d.is_error()) {
        return Err("the server's treaty does not load here (a newer casus?)".into());
    }
    Ok(ClientTreaty { treaty, symbols })
}

/// Parses an act file against the treaty and signs its acts as the next
/// entries after `head`. Diagnostics about documents and cases the file
/// does not open are left to the server, which knows the ledger.
pub fn sign_acts(t: &ClientTreaty, head: &HeadBody, key: &KeyFile, name: &str, text: &str, now: i64) -> Result<SignedActs, String> {
    let mut symbols = t.symbols.clone();
    let (record, diags) = casus_lang::load_record(name, text, &t.treaty, &mut symbols);
    let errors: Vec<_> =
        diags.into_iter().filter(|d| d.is_error() && ![casus_lang::codes::UNKNOWN_DOCUMENT, casus_lang::codes::UNKNOWN_CASE].contains(&d.code)).collect();
    if !errors.is_empty() {
        return Err(casus_lang::render(&errors, name, text));
    }
    if record.acts.is_empty() {
        return Err(format!("{name} holds no act"));
    }
    let statements = sign_parsed(&record.acts, &symbols, head, key, now)?;
    Ok(SignedActs { name: name.to_string(), text: text.to_string(), statements })
}

/// Signs acts already parsed as statements for the ledger of `head`: live
/// mode with a party's key, record mode otherwise, numbered from above both
/// the key's last sequence number in `head` and every number this process
/// used before ([`next_sequences`]). Returns the signed statements in hex.
/// `now` is not signed (the ledger gives the record time); it only keeps
/// the numbers increasing across runs.
pub fn sign_parsed(acts: &[casus_model::Act], symbols: &Symbols, head: &HeadBody, key: &KeyFile, now: i64) -> Result<Vec<String>, String> {
    let mode = match key.role {
        Some(KeyRole::Party(_)) => Mode::Live,
        _ => Mode::Record,
    };
    let first = next_sequences(head.last_sequence.unwrap_or(0), now, acts.len() as u64);
    let statements = casus_ledger::signed_act_statements(&head.origin, first, acts, symbols, &key.key, mode).map_err(|e| e.to_string())?;
    Ok(statements.iter().map(|b| hex_encode(b)).collect())
}

/// Reserves `n` sequence numbers: above `last` (the key's last in the
/// ledger), above every number this process reserved before, and at least
/// the microseconds of `now` (seconds), so that a later run of the same key
/// numbers above an earlier one without asking. Returns the first.
pub fn next_sequences(last: u64, now: i64, n: u64) -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static ISSUED: AtomicU64 = AtomicU64::new(0);
    let clock = u64::try_from(now).unwrap_or(0).saturating_mul(1_000_000);
    let mut first = 0;
    let _ = ISSUED.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |issued| {
        first = last.max(issued).saturating_add(1).max(clock);
        Some(first.saturating_add(n.saturating_sub(1)))
    });
    first
}

/// Signs and posts an act file, re-signing on a moved head with backoff
/// and jitter until [`WRITE_DEADLINE`]. The clock is read here, by the
/// client, never by the libraries.
pub fn submit(server: &Server, key: &KeyFile, name: &str, text: &str) -> Result<Appended, String> {
    submit_within(server, key, name, text, WRITE_DEADLINE)
}

/// [`submit`] with its deadline.
pub fn submit_within(server: &Server, key: &KeyFile, name: &str, text: &str, deadline: Duration) -> Result<Appended, String> {
    let treaty = fetch_treaty(server)?;
    let start = std::time::Instant::now();
    let mut last = String::new();
    let mut wait = RETRY_WAIT_FIRST;
    let head_path = format!("/api/head?key={}", key.key.id().hex());
    for attempt in 1..=MAX_ATTEMPTS {
        let head: HeadBody = server.get_json(&head_path)?;
        let now = crate::config::system_now();
        let signed = sign_acts(&treaty, &head, key, name, text, now)?;
        let body = serde_json::to_vec(&signed).map_err(|e| e.to_string())?;
        let r = server.request("POST", "/api/acts", Some(&body))?;
        if r.status == 201 {
            return serde_json::from_slice(&r.body).map_err(|e| format!("unexpected answer: {e}"));
        }
        last = r.message();
        // A server checking as many writes as it takes at once (503
        // `busy`) and the same key signing elsewhere at the same moment
        // (409 `sequence`: numbered again from the key's new last) are
        // worth another try; anything else is the answer.
        if !matches!(r.code().as_deref(), Some("sequence" | "busy")) {
            return Err(last);
        }
        let pause = jittered(wait);
        if start.elapsed() + pause > deadline {
            return Err(format!("the server did not take the act within {} s ({attempt} attempts); last answer: {last}", deadline.as_secs()));
        }
        std::thread::sleep(pause);
        wait = (wait * 2).min(RETRY_WAIT_MAX);
    }
    Err(format!("the server did not take the act ({MAX_ATTEMPTS} attempts); last answer: {last}"))
}

/// A random duration between half of `wait` and all of it. The randomness
/// is the standard library's per-process hash seed, plenty to spread
/// writers apart.
fn jittered(wait: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    let fraction = (h.finish() % 1024) as u32;
    wait / 2 + wait / 2 * fraction / 1024
}

/// A string in the record format: quoted, with `"` and `\` escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The text of a signature (or refusal) of `document` by `party` at `time`.
pub fn position_act(time: i64, party: &str, kind: &str, document: &str, reason: Option<&str>, condition: Option<&str>) -> String {
    let mut t = format!("{} {party} {kind}\n  document {document}\n", Time(time).format(casus_model::Precision::Second));
    if let Some(r) = reason {
        t.push_str(&format!("  reason   {}\n", quote(r)));
    }
    if let Some(c) = condition {
        t.push_str(&format!("  condition {}\n", quote(c)));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_parse_with_a_length_or_chunked() {
        let r = parse_response(b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}").unwrap();
        assert_eq!((r.status, r.body.as_slice()), (201, &b"{}"[..]));
        let r = parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap();
        assert_eq!(r.body, b"abcde");
        assert!(parse_response(b"HTTP/1.1 200 OK\r\n").is_err());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_err());
    }

    #[test]
    fn error_bodies_read_as_messages() {
        let r = Reply { status: 409, body: br#"{"error":{"status":409,"code":"stale_head","message":"moved","details":["a"]}}"#.to_vec() };
        assert_eq!(r.code().as_deref(), Some("stale_head"));
        assert_eq!(r.message(), "409 (stale_head): moved\n  a");
    }

    #[test]
    fn retry_waits_are_jittered_within_bounds() {
        let waits: Vec<Duration> = (0..64).map(|_| jittered(Duration::from_millis(100))).collect();
        assert!(waits.iter().all(|w| *w >= Duration::from_millis(50) && *w <= Duration::from_millis(100)), "{waits:?}");
        let distinct: std::collections::HashSet<_> = waits.iter().collect();
        assert!(distinct.len() > 8, "jitter spreads the waits: {waits:?}");
    }

    #[test]
    fn server_urls() {
        let s = Server::parse("http://127.0.0.1:8080/casus/", None).unwrap();
        assert_eq!((s.host.as_str(), s.prefix.as_str()), ("127.0.0.1:8080", "/casus"));
        assert_eq!(Server::parse("http://example.org", None).unwrap().host, "example.org:80");
        assert!(Server::parse("https://example.org", None).is_err());
        assert!(Server::parse("http:///x", None).is_err());
    }

    #[test]
    fn position_acts_are_record_text() {
        let t = position_act(1_669_161_600, "ARM", "refuse", "yerevan_declaration", Some("no \"assessment\"\n"), Some("a\\b"));
        assert_eq!(t, "2022-11-23T00:00:00Z ARM refuse\n  document yerevan_declaration\n  reason   \"no \\\"assessment\\\" \"\n  condition \"a\\\\b\"\n");
    }
}
