//! The connection limits over real sockets on 127.0.0.1: hyper's own
//! answers (400, 414, 431) in the one JSON error shape, the header-read
//! timeout, the idle timeout and the connection cap.

use std::sync::Arc;
use std::time::{Duration, Instant};

use casus_ledger::{MemStore, SecretKey, Store};
use casus_model::Time;
use casus_server::serve::Limits;
use casus_server::{AppState, Config, StoreOpener, app};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TREATY: (&str, &str) = ("treaties/cst.md", include_str!("../../../treaties/cst.md"));
const RECORD: (&str, &str) = ("records/csto-2021-2025.md", include_str!("../../../records/csto-2021-2025.md"));

/// A demo ledger served on 127.0.0.1:0 with `limits`; returns the address.
async fn start(limits: Limits) -> std::net::SocketAddr {
    let store = MemStore::new();
    let operator = SecretKey::from_seed([1; 32]);
    let keys = vec![("ARM".to_string(), SecretKey::from_seed([10; 32]))];
    casus_server::demo::create(Box::new(store.clone()), TREATY, RECORD, &operator, &keys, Time(casus_server::state::system_now() - 60)).expect("demo");
    let opener: StoreOpener = Arc::new(move || Ok(Box::new(store.clone()) as Box<dyn Store>));
    let state = AppState::open(opener, Config::default()).expect("open");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(casus_server::serve::serve(listener, app(state), limits, std::future::pending()));
    addr
}

/// Sends raw bytes and reads until the server closes or 5 s pass.
async fn exchange(addr: std::net::SocketAddr, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(raw).await.expect("write");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn json_error(answer: &str) -> Value {
    let (_, body) = answer.split_once("\r\n\r\n").unwrap_or(("", ""));
    serde_json::from_str(body).unwrap_or(Value::Null)
}

#[tokio::test]
async fn hypers_own_answers_have_the_json_error_shape() {
    let addr = start(Limits::default()).await;
    // Headers over the limit: 431.
    let big = format!("GET /api/head HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n", "a".repeat(100_000));
    let a = exchange(addr, big.as_bytes()).await;
    assert!(a.starts_with("HTTP/1.1 431 "), "{a}");
    let v = json_error(&a);
    assert_eq!(v["error"]["status"], 431, "{a}");
    assert_eq!(v["error"]["code"], "headers_too_large");
    // Not HTTP: 400.
    let a = exchange(addr, b"GARBAGE\x01\x02 / HTTP/1.1\r\n\r\n").await;
    assert!(a.starts_with("HTTP/1.1 400 "), "{a}");
    assert_eq!(json_error(&a)["error"]["code"], "bad_request", "{a}");
    // A normal request still answers normally on the same server.
    let a = exchange(addr, b"GET /api/head HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert!(a.starts_with("HTTP/1.1 200 "), "{a}");
}

#[tokio::test]
async fn a_slow_header_client_is_dropped() {
    let limits = Limits { header_read_timeout: Duration::from_millis(500), ..Limits::default() };
    let addr = start(limits).await;
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET /api/head HTTP/1.1\r\nhost: x\r\n").await.expect("write");
    let t = Instant::now();
    let mut out = Vec::new();
    // Trickle a header line every 100 ms; the server closes anyway.
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if s.write_all(b"x-slow: 1\r\n").await.is_err() {
                break;
            }
            let mut buf = [0u8; 1024];
            match tokio::time::timeout(Duration::from_millis(1), s.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
                Err(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the connection stayed open for 5 s");
    assert!(t.elapsed() < Duration::from_secs(3), "closed after {:?}", t.elapsed());
}

#[tokio::test]
async fn an_idle_socket_is_closed_and_frees_its_place() {
    // Room for two connections; a silent socket holds one until the
    // header-read timeout closes it.
    let limits = Limits { max_connections: 2, header_read_timeout: Duration::from_millis(800), ..Limits::default() };
    let addr = start(limits).await;
    let mut idle1 = TcpStream::connect(addr).await.expect("connect");
    let _idle2 = TcpStream::connect(addr).await.expect("connect");
    let t = Instant::now();
    let a = exchange(addr, b"GET /api/head HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await;
    assert!(a.starts_with("HTTP/1.1 200 "), "{a}");
    // It waited for a place: the cap held.
    assert!(t.elapsed() >= Duration::from_millis(500), "served after {:?}: the cap did not hold", t.elapsed());
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(3), idle1.read(&mut buf)).await.expect("idle socket closed").unwrap_or(0);
    assert_eq!(n, 0, "the idle socket was closed");
}

/// Writes whose bodies come slowly hold up no one else's: a body announced
/// over the limit is refused before it is read; more slow bodies than
/// writes checked at once leave a quick write its answer; a body that does
/// not arrive within `BODY_READ_TIMEOUT` is answered 408.
#[tokio::test]
async fn slow_bodies_hold_up_no_other_write() {
    let addr = start(Limits::default()).await;
    let head = |length: u64| format!("POST /api/acts HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n{{");
    // Announced over the limit: 413 at once, without `100 Continue`.
    let t = Instant::now();
    let a = exchange(addr, format!("{}\r\nexpect: 100-continue\r\n\r\n", &head(99_999_999_999)[..head(99_999_999_999).len() - 5]).as_bytes()).await;
    assert!(a.starts_with("HTTP/1.1 413 "), "{a}");
    assert_eq!(json_error(&a)["error"]["code"], "too_large", "{a}");
    assert!(t.elapsed() < Duration::from_secs(2), "answered after {:?}", t.elapsed());
    // Twice as many slow bodies as writes are checked at once.
    let mut slow = Vec::new();
    for _ in 0..2 * casus_server::ingest::MAX_CONCURRENT_WRITES {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(head(100_000).as_bytes()).await.expect("write");
        slow.push(s);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A quick write is still answered at once (its own error: a body not of the schema).
    let t = Instant::now();
    let body = "{}";
    let quick =
        format!("POST /api/acts HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
    let a = exchange(addr, quick.as_bytes()).await;
    assert!(a.starts_with("HTTP/1.1 422 "), "{a}");
    assert!(t.elapsed() < Duration::from_secs(2), "answered after {:?}", t.elapsed());
    // The slow ones are answered 408 once their time is up.
    let mut out = Vec::new();
    let deadline = casus_server::config::BODY_READ_TIMEOUT + Duration::from_secs(5);
    let _ = tokio::time::timeout(deadline, slow[0].read_to_end(&mut out)).await;
    let a = String::from_utf8_lossy(&out);
    assert!(a.starts_with("HTTP/1.1 408 "), "{a}");
    assert_eq!(json_error(&a)["error"]["code"], "body_timeout", "{a}");
}
