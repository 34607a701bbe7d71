//! A small blocking HTTP/1.1 client for a witness's `add-checkpoint`, for
//! a log's operator collecting cosignatures (and for the tests and the
//! quorum measurement): [`WitnessClient`] speaks the protocol,
//! [`WitnessEndpoint`] adds what an operator needs (the witness's size,
//! learnt from 409 answers, and verification of its cosignature), and
//! [`collect_cosignatures`] asks every witness at once, and
//! [`cosign_with_quorum`] adds their cosignatures to a checkpoint only when
//! a quorum of named witnesses ([`NamedWitness`]) signed.
//!
//! One request at a time over one kept-alive connection (the spec asks
//! clients to keep connections alive: a cosignature round trip on loopback
//! is well under a millisecond, a new connection per request would double
//! it). Plain HTTP only: a witness reached over a network sits behind a
//! TLS proxy. Every read is bounded, by size and by a timeout.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use casus_ledger::checkpoint_note::parse_decimal;
use casus_ledger::merkle::Hash;
use casus_ledger::note::{Note, NoteSignature, NoteVerifier, SignatureType};

use crate::{AddCheckpointRequest, Result, WitnessError};

/// Largest response body read.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Longest response header section read.
const MAX_HEADER_BYTES: usize = 16 * 1024;

/// What a witness answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddCheckpointResponse {
    /// 200: the cosignature lines (not yet verified: check them against
    /// the witness's verifier key).
    Cosigned(Vec<NoteSignature>),
    /// 409: the witness's latest cosigned size for this log; send again
    /// with a proof from it.
    Conflict(u64),
    /// Any other status, with the witness's message.
    Refused { status: u16, message: String },
}

/// A connection to one witness.
pub struct WitnessClient {
    host_port: String,
    path_prefix: String,
    timeout: Duration,
    conn: Option<BufReader<TcpStream>>,
}

impl WitnessClient {
    /// `url` is the witness's submission prefix, `http://HOST:PORT[/PATH]`.
    pub fn new(url: &str, timeout: Duration) -> Result<WitnessClient> {
        let rest = url.strip_prefix("http://").ok_or_else(|| WitnessError::Config(format!("witness URL `{url}` must start with http://")))?;
        let (host_port, path) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        if host_port.is_empty() {
            return Err(WitnessError::Config(format!("witness URL `{url}` has no host")));
        }
        Ok(WitnessClient { host_port: host_port.to_string(), path_prefix: path.to_string(), timeout, conn: None })
    }

    /// Sends `add-checkpoint`: `old_size`, the consistency proof from it,
    /// and the signed checkpoint note.
    pub fn add_checkpoint(&mut self, old_size: u64, proof: &[Hash], checkpoint: &str) -> Result<AddCheckpointResponse> {
        let body = AddCheckpointRequest::to_body(old_size, proof, checkpoint);
        let request = format!(
            "POST {}/add-checkpoint HTTP/1.1\r\nHost: {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
            self.path_prefix,
            self.host_port,
            body.len()
        );
        // A kept-alive connection the server closed fails on first use; retry once on a new one.
        let reused = self.conn.is_some();
        match self.round_trip(request.as_bytes()) {
            Ok(r) => Ok(r),
            Err(_) if reused => {
                self.conn = None;
                self.round_trip(request.as_bytes())
            }
            Err(e) => Err(e),
        }
    }

    fn round_trip(&mut self, request: &[u8]) -> Result<AddCheckpointResponse> {
        let io = |context: &str| {
            let context = context.to_string();
            move |source| WitnessError::Io { context, source }
        };
        let result = (|| {
            if self.conn.is_none() {
                let stream = TcpStream::connect(&self.host_port).map_err(io(&format!("connecting to {}", self.host_port)))?;
                stream.set_nodelay(true).map_err(io("setting TCP_NODELAY"))?;
                stream.set_read_timeout(Some(self.timeout)).map_err(io("setting a timeout"))?;
                stream.set_write_timeout(Some(self.timeout)).map_err(io("setting a timeout"))?;
                self.conn = Some(BufReader::new(stream));
            }
            let conn = self.conn.as_mut().ok_or_else(|| WitnessError::Config("no connection".into()))?;
            conn.get_mut().write_all(request).map_err(io("sending the request"))?;
            read_response(conn)
        })();
        if result.is_err() {
            self.conn = None;
        }
        let (status, body, close) = result?;
        if close {
            self.conn = None;
        }
        let text = String::from_utf8_lossy(&body).into_owned();
        Ok(match status {
            200 => {
                let mut sigs = Vec::new();
                for line in text.lines() {
                    sigs.push(NoteSignature::parse_line(line).map_err(|e| WitnessError::BadRequest(format!("witness answer: {e}")))?);
                }
                if sigs.is_empty() {
                    return Err(WitnessError::BadRequest("the witness answered 200 with no cosignature".into()));
                }
                AddCheckpointResponse::Cosigned(sigs)
            }
            409 => {
                let size =
                    parse_decimal(text.trim_end_matches('\n')).ok_or_else(|| WitnessError::BadRequest("the witness answered 409 without a size".into()))?;
                AddCheckpointResponse::Conflict(size)
            }
            status => AddCheckpointResponse::Refused { status, message: text.trim_end().to_string() },
        })
    }
}

/// Reads a status line, headers and a `Content-Length` body.
fn read_response(conn: &mut BufReader<TcpStream>) -> Result<(u16, Vec<u8>, bool)> {
    let bad = |why: &str| WitnessError::Io { context: "reading the witness's answer".into(), source: std::io::Error::other(why.to_string()) };
    let mut header_bytes = 0usize;
    let mut line = String::new();
    let mut read_line = |conn: &mut BufReader<TcpStream>, line: &mut String| -> Result<()> {
        line.clear();
        let n = conn
            .by_ref()
            .take((MAX_HEADER_BYTES - header_bytes.min(MAX_HEADER_BYTES)) as u64)
            .read_line(line)
            .map_err(|e| WitnessError::Io { context: "reading the witness's answer".into(), source: e })?;
        header_bytes += n;
        if n == 0 || !line.ends_with('\n') {
            return Err(bad("the connection closed, or the header is too long"));
        }
        Ok(())
    };
    read_line(conn, &mut line)?;
    let status: u16 = line.strip_prefix("HTTP/1.1 ").and_then(|s| s.get(..3)).and_then(|s| s.parse().ok()).ok_or_else(|| bad("not an HTTP/1.1 status line"))?;
    let mut length = None;
    let mut close = false;
    loop {
        read_line(conn, &mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((name, value)) = l.split_once(':') {
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
            if name == "content-length" {
                length = Some(value.parse::<usize>().map_err(|_| bad("a bad Content-Length"))?);
            } else if name == "connection" && value.eq_ignore_ascii_case("close") {
                close = true;
            } else if name == "transfer-encoding" {
                return Err(bad("chunked answers are not expected from a witness"));
            }
        }
    }
    let length = length.ok_or_else(|| bad("no Content-Length"))?;
    if length > MAX_RESPONSE_BYTES {
        return Err(bad("the answer is too large"));
    }
    let mut body = vec![0u8; length];
    conn.read_exact(&mut body).map_err(|e| WitnessError::Io { context: "reading the witness's answer".into(), source: e })?;
    Ok((status, body, close))
}

/// A witness as a log's operator sees it: its address, its verifier key,
/// and the size it last cosigned (learnt from its answers).
pub struct WitnessEndpoint {
    pub verifier: NoteVerifier,
    client: WitnessClient,
    known_size: Option<u64>,
}

impl WitnessEndpoint {
    pub fn new(url: &str, verifier: NoteVerifier, timeout: Duration) -> Result<WitnessEndpoint> {
        if verifier.signature_type != SignatureType::CosignatureV1 {
            return Err(WitnessError::Config(format!("{}: a witness key is a cosignature/v1 key (type 0x04)", verifier.name)));
        }
        Ok(WitnessEndpoint { verifier, client: WitnessClient::new(url, timeout)?, known_size: None })
    }

    /// The size this witness last cosigned, as far as its answers told.
    pub fn known_size(&self) -> Option<u64> {
        self.known_size
    }

    /// Asks for a cosignature of `checkpoint` (a signed note of a tree of
    /// `size` entries). `proof(old)` gives the consistency proof from size
    /// `old` to `size`. A witness that answers 409 (it holds another size)
    /// is asked once more with a proof from that size. The cosignature is
    /// verified before it is returned.
    pub fn cosign(&mut self, checkpoint: &Note, size: u64, proof: &(dyn Fn(u64) -> Option<Vec<Hash>> + Sync)) -> Result<NoteSignature> {
        let text = checkpoint.to_text();
        let mut old = self.known_size.filter(|&k| k <= size).unwrap_or(0);
        for _ in 0..2 {
            let hashes = proof(old).ok_or_else(|| WitnessError::Inconsistent(format!("no consistency proof from size {old} to {size}")))?;
            match self.client.add_checkpoint(old, &hashes, &text)? {
                AddCheckpointResponse::Cosigned(sigs) => {
                    let mine: Vec<NoteSignature> = sigs.into_iter().filter(|s| s.name == self.verifier.name && s.key_id == self.verifier.key_id).collect();
                    let sig =
                        mine.into_iter().next().ok_or_else(|| WitnessError::Forbidden(format!("{} answered without its cosignature", self.verifier.name)))?;
                    if self.verifier.verify(&checkpoint.text, &sig.signature).is_none() {
                        return Err(WitnessError::Forbidden(format!("{}'s cosignature does not verify", self.verifier.name)));
                    }
                    self.known_size = Some(size);
                    return Ok(sig);
                }
                AddCheckpointResponse::Conflict(known) => {
                    self.known_size = Some(known);
                    if known > size {
                        return Err(WitnessError::Inconsistent(format!(
                            "{} has cosigned a larger tree ({known} entries) than this checkpoint ({size})",
                            self.verifier.name
                        )));
                    }
                    old = known;
                }
                AddCheckpointResponse::Refused { status, message } => {
                    return Err(WitnessError::Inconsistent(format!("{} refused ({status}): {message}", self.verifier.name)));
                }
            }
        }
        Err(WitnessError::Inconsistent(format!("{} kept answering 409", self.verifier.name)))
    }
}

/// Asks every witness for its cosignature of `checkpoint` at once (one
/// thread each) and returns each witness's answer, in order.
pub fn collect_cosignatures(
    endpoints: &mut [WitnessEndpoint],
    checkpoint: &Note,
    size: u64,
    proof: &(dyn Fn(u64) -> Option<Vec<Hash>> + Sync),
) -> Vec<Result<NoteSignature>> {
    std::thread::scope(|s| {
        let handles: Vec<_> = endpoints.iter_mut().map(|e| s.spawn(move || e.cosign(checkpoint, size, proof))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(WitnessError::Config("a cosignature request panicked".into())))).collect()
    })
}

/// How long an operator waits for one witness's answer.
pub const WITNESS_TIMEOUT: Duration = Duration::from_secs(10);

/// A witness as an operator configures it: a name for messages (the member
/// state's, e.g. `ARM`) and its endpoint.
pub struct NamedWitness {
    pub name: String,
    pub endpoint: WitnessEndpoint,
}

impl NamedWitness {
    /// Parses `NAME=URL=VERIFIER_KEY` (the verifier key is a
    /// `cosignature/v1` key, `<name>+<key ID>+<base64>`).
    pub fn parse(arg: &str, timeout: Duration) -> Result<NamedWitness> {
        let mut parts = arg.splitn(3, '=');
        let (Some(name), Some(url), Some(vkey)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(WitnessError::Config(format!("--witness {arg}: expected NAME=URL=VERIFIER_KEY")));
        };
        if name.is_empty() || name.len() > 64 || name.contains(char::is_whitespace) {
            return Err(WitnessError::Config(format!("--witness {arg}: the name is one word of at most 64 bytes")));
        }
        let verifier = NoteVerifier::parse(vkey).map_err(|e| WitnessError::Config(format!("--witness {name}: {e}")))?;
        Ok(NamedWitness {
            name: name.to_string(),
            endpoint: WitnessEndpoint::new(url, verifier, timeout).map_err(|e| WitnessError::Config(format!("--witness {name}: {e}")))?,
        })
    }
}

/// Asks every witness for its cosignature of `checkpoint` at once and
/// returns the checkpoint with every valid cosignature added, in the
/// witnesses' order, with the names of those that signed: but only if at
/// least `quorum` did; otherwise [`WitnessError::Quorum`], naming each
/// witness that did not and why.
pub fn cosign_with_quorum(
    witnesses: &mut [NamedWitness],
    quorum: usize,
    checkpoint: &Note,
    size: u64,
    proof: &(dyn Fn(u64) -> Option<Vec<Hash>> + Sync),
) -> Result<(Note, Vec<String>)> {
    let answers = std::thread::scope(|s| {
        let handles: Vec<_> = witnesses.iter_mut().map(|w| s.spawn(move || w.endpoint.cosign(checkpoint, size, proof))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(WitnessError::Config("a cosignature request panicked".into())))).collect::<Vec<_>>()
    });
    let mut note = checkpoint.clone();
    let mut signed = Vec::new();
    let mut failed = Vec::new();
    for (w, answer) in witnesses.iter().zip(answers) {
        match answer {
            Ok(sig) => {
                note.signatures.push(sig);
                signed.push(w.name.clone());
            }
            Err(e) => failed.push(format!("{}: {e}", w.name)),
        }
    }
    if signed.len() < quorum {
        return Err(WitnessError::Quorum(format!(
            "{} of {} witnesses cosigned the checkpoint of {size} entries; the quorum is {quorum} ({})",
            signed.len(),
            witnesses.len(),
            failed.join("; ")
        )));
    }
    Ok((note, signed))
}
