//! What the server's benchmarks share: the shipped CSTO treaty and record
//! they serve, and a reader of one HTTP/1.1 response on a keep-alive
//! connection (the benches drive the server over loopback themselves, to
//! measure it rather than an HTTP client).

// Each bench uses a part of this module.
#![allow(dead_code)]

use tokio::io::AsyncReadExt;

pub const TREATY: (&str, &str) = ("treaties/cst.md", include_str!("../../../../treaties/cst.md"));
pub const RECORD: (&str, &str) = ("records/csto-2021-2025.md", include_str!("../../../../records/csto-2021-2025.md"));

/// Reads one HTTP/1.1 response with a Content-Length from a keep-alive
/// connection. `buf` holds what was read past the response, for the next
/// call; reads go straight into its spare capacity (zeroing a scratch
/// buffer per read would cost the load generator more than parsing).
pub async fn read_response(s: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> Option<u16> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).ok()?;
            let status: u16 = head.split(' ').nth(1)?.parse().ok()?;
            let len: usize = head
                .lines()
                .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.trim().parse().ok()))
                .flatten()?;
            let total = end + 4 + len;
            while buf.len() < total {
                buf.reserve(total - buf.len());
                if s.read_buf(buf).await.ok()? == 0 {
                    return None;
                }
            }
            buf.drain(..total);
            return Some(status);
        }
        buf.reserve(4096);
        if s.read_buf(buf).await.ok()? == 0 {
            return None;
        }
    }
}
