//! The accept loop: connections bounded in number, time and buffer size.
//!
//! Why not `axum::serve`: it has no header-read timeout, no idle timeout and
//! no connection cap, so a thousand idle sockets used up the process's file
//! descriptors and made the server unreachable, and a client that trickles
//! its headers was never dropped. Here each connection is served by hyper's
//! HTTP/1.1 builder with a timer and these limits:
//!
//! - at most [`Limits::max_connections`] open at once (a semaphore; a
//!   further client waits in the kernel's accept queue until one closes),
//!   never more than the file-descriptor limit allows;
//! - a request head must arrive within [`HEADER_READ_TIMEOUT`] of the
//!   moment the server waits for it (a new connection, or a kept-alive one
//!   after its last answer): slow-header and idle kept-alive sockets close;
//! - a connection with no byte read or written for [`IDLE_TIMEOUT`] (a
//!   stalled upload, a reader that stopped reading) is shut down once its
//!   request in flight, if any, is answered;
//! - request heads are read into at most [`MAX_HEAD_BUFFER_BYTES`].
//!
//! hyper answers a request it cannot parse by itself (400, 414, 431) with an
//! empty body; [`Conn`] rewrites those answers into the one JSON error shape
//! ([`crate::error`]), so every failure a client sees has that shape.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

/// Most connections open at once (lowered to fit the descriptor limit).
pub const MAX_CONNECTIONS: usize = 4096;
/// File descriptors kept free of connections: the store, logs, the listener.
pub const RESERVED_DESCRIPTORS: u64 = 64;
/// Time allowed for a request head to arrive, from when the server waits for it.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection with no byte read or written for this long is shut down.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest request head (request line and headers) read, in bytes: a larger
/// one is answered 431 (or 414 for a long URI).
pub const MAX_HEAD_BUFFER_BYTES: usize = 64 * 1024;
/// Time the server gives open connections to finish after an interrupt.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The connection limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_connections: MAX_CONNECTIONS, header_read_timeout: HEADER_READ_TIMEOUT, idle_timeout: IDLE_TIMEOUT }
    }
}

impl Limits {
    /// These limits with the connection cap lowered to what `descriptors`
    /// (the soft limit on open files) leaves after [`RESERVED_DESCRIPTORS`].
    pub fn fitting(mut self, descriptors: u64) -> Limits {
        let room = descriptors.saturating_sub(RESERVED_DESCRIPTORS).max(1);
        self.max_connections = self.max_connections.min(usize::try_from(room).unwrap_or(usize::MAX));
        self
    }
}

/// Raises the soft limit on open files to the hard limit and returns the
/// soft limit in force afterwards (`None` where it cannot be read). A
/// server holds one descriptor per connection; the usual soft limit of
/// 1024 is lower than the hard limit for no reason that applies here.
#[cfg(unix)]
pub fn raise_descriptor_limit() -> Option<u64> {
    // The `rlimit` crate wraps getrlimit/setrlimit safely, so this crate
    // keeps `unsafe_code = "forbid"`.
    let (soft, hard) = rlimit::Resource::NOFILE.get().ok()?;
    if soft < hard && rlimit::Resource::NOFILE.set(hard, hard).is_ok() {
        return Some(hard);
    }
    Some(soft)
}

#[cfg(not(unix))]
pub fn raise_descriptor_limit() -> Option<u64> {
    None
}

/// The limits a process serves with: the defaults, with the connection cap
/// fitted to the open-file limit after raising it (see
/// [`raise_descriptor_limit`]). `casus serve` and `casus witness serve` both
/// start from this.
pub fn process_limits() -> Limits {
    match raise_descriptor_limit() {
        Some(n) => Limits::default().fitting(n),
        None => Limits::default(),
    }
}

/// Serves `app` on `listener` with [`process_limits`] until Ctrl-C.
pub async fn serve_until_interrupted(listener: TcpListener, app: Router) -> io::Result<()> {
    serve(listener, app, process_limits(), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// Serves `app` on `listener` until `shutdown` completes, then gives open
/// connections [`SHUTDOWN_GRACE`] to finish.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let tcp = tokio::select! {
            r = listener.accept() => match r {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    // Out of descriptors or memory: the error is about this
                    // one connection; wait a little rather than spin.
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Without TCP_NODELAY a small answer after a write waits on the
        // client's delayed ACK: single-act posts ran at half speed.
        let _ = tcp.set_nodelay(true);
        let app = app.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move {
            serve_connection(tcp, app, limits, stop).await;
            drop(permit);
        });
    }
    let _ = stop_tx.send(true);
    let deadline = Instant::now() + SHUTDOWN_GRACE;
    while permits.available_permits() < limits.max_connections && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

async fn serve_connection(tcp: TcpStream, app: Router, limits: Limits, mut stop: watch::Receiver<bool>) {
    let start = Instant::now();
    let activity = Arc::new(AtomicU64::new(0));
    let io = Conn::new(tcp, start, activity.clone());
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(MAX_HEAD_BUFFER_BYTES)
        .max_header_size(MAX_HEAD_BUFFER_BYTES)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(app));
    tokio::pin!(conn);
    let mut tick = tokio::time::interval(Duration::from_secs(1).min(limits.idle_timeout));
    let mut closing = false;
    loop {
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!("connection: {e}");
                }
                return;
            }
            _ = tick.tick(), if !closing => {
                let last = Duration::from_millis(activity.load(Ordering::Relaxed));
                if start.elapsed().saturating_sub(last) >= limits.idle_timeout {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
            r = stop.changed(), if !closing => {
                if r.is_err() || *stop.borrow() {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
}

/// The automatic answers hyper writes for requests it cannot parse: a
/// status line and headers with `content-length: 0`. Our own handlers
/// answer every 4xx with a JSON body, so an empty 400, 414 or 431 is
/// hyper's.
fn rewrite_parse_error(head: &[u8]) -> Option<Vec<u8>> {
    let (status, code, message) = if head.starts_with(b"HTTP/1.1 400 ") {
        (400, "bad_request", "the request is not valid HTTP/1.1".to_string())
    } else if head.starts_with(b"HTTP/1.1 414 ") {
        (414, "uri_too_long", "the request's URI is too long".to_string())
    } else if head.starts_with(b"HTTP/1.1 431 ") {
        (431, "headers_too_large", format!("the request's headers are over the limit of {MAX_HEAD_BUFFER_BYTES} bytes or 100 fields"))
    } else {
        return None;
    };
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let lower = head[..end].to_ascii_lowercase();
    if !lower.windows(19).any(|w| w == b"\r\ncontent-length: 0") {
        return None;
    }
    let body = crate::error::ApiError::new(axum::http::StatusCode::from_u16(status).ok()?, code, message).body_json();
    let reason = match status {
        400 => "Bad Request",
        414 => "URI Too Long",
        _ => "Request Header Fields Too Large",
    };
    let mut out =
        format!("HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    Some(out)
}

/// A TCP stream that notes the time of its last read or write (for the
/// idle timeout) and rewrites hyper's automatic error answers.
pub struct Conn {
    tcp: TcpStream,
    start: Instant,
    activity: Arc<AtomicU64>,
    /// A rewritten answer still to be written, and how much of it is.
    pending: Vec<u8>,
    written: usize,
}

impl Conn {
    fn new(tcp: TcpStream, start: Instant, activity: Arc<AtomicU64>) -> Conn {
        Conn { tcp, start, activity, pending: Vec::new(), written: 0 }
    }

    fn touch(&self) {
        self.activity.store(self.start.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    /// Writes what is left of a rewritten answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = std::task::ready!(Pin::new(&mut self.tcp).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
            self.touch();
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.tcp).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.touch();
        }
        r
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        std::task::ready!(this.poll_pending(cx))?;
        if let Some(answer) = rewrite_parse_error(buf) {
            this.pending = answer;
            this.written = 0;
            // The original bytes count as written; ours follow.
            return match this.poll_pending(cx) {
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                _ => Poll::Ready(Ok(buf.len())),
            };
        }
        let r = Pin::new(&mut this.tcp).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.touch();
        }
        r
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        std::task::ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        std::task::ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.tcp).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        // hyper then writes each answer's head as one buffer, which
        // `rewrite_parse_error` can recognise.
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_parse_errors_become_json() {
        let raw = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 09:00:00 GMT\r\n\r\n";
        let out = rewrite_parse_error(raw).expect("rewritten");
        let text = String::from_utf8(out).expect("utf-8");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        assert!(head.starts_with("HTTP/1.1 431 "));
        let v: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(v["error"]["status"], 431);
        assert_eq!(v["error"]["code"], "headers_too_large");
    }

    #[test]
    fn our_own_answers_pass_untouched() {
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 80\r\n\r\n{\"error\":{}}";
        assert!(rewrite_parse_error(ours).is_none());
        assert!(rewrite_parse_error(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
    }

    #[test]
    fn connection_cap_fits_the_descriptor_limit() {
        assert_eq!(Limits::default().fitting(1024).max_connections, 1024 - RESERVED_DESCRIPTORS as usize);
        assert_eq!(Limits::default().fitting(1 << 20).max_connections, MAX_CONNECTIONS);
    }
}
