//! Lowercase hex, for key files, key ids and test vectors.
//!
//! Twenty lines do not justify a dependency; decoding never panics and
//! rejects odd lengths and non-hex characters.

pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize]);
        out.push(DIGITS[(b & 15) as usize]);
    }
    // Only ASCII digits were pushed.
    String::from_utf8(out).unwrap_or_default()
}

/// The value of each byte as a hex digit, or [`NOT_HEX`].
const DIGIT_VALUES: [u8; 256] = {
    let mut t = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};
const NOT_HEX: u8 = 0xff;

/// Decodes hex digits (either case; surrounding white space is ignored).
/// Signed statements arrive as hex, one per act, so this is on every
/// write's path: one table lookup per digit, one allocation.
pub fn decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim().as_bytes();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 2);
    for pair in s.chunks_exact(2) {
        let (hi, lo) = (DIGIT_VALUES[pair[0] as usize], DIGIT_VALUES[pair[1] as usize]);
        if hi == NOT_HEX || lo == NOT_HEX {
            return None;
        }
        out.push(hi << 4 | lo);
    }
    Some(out)
}

/// Decodes exactly `N` bytes.
pub fn decode_array<const N: usize>(s: &str) -> Option<[u8; N]> {
    decode(s)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip_and_rejects() {
        assert_eq!(super::encode(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(super::decode("00ABff"), Some(vec![0, 0xab, 0xff]));
        assert_eq!(super::decode("abc"), None);
        assert_eq!(super::decode("zz"), None);
        assert_eq!(super::decode_array::<2>("0011"), Some([0, 0x11]));
        assert_eq!(super::decode_array::<2>("001122"), None);
    }

    /// Every byte value round-trips, and every pair of characters that is
    /// not two hex digits is refused (checked against the digits' definition).
    #[test]
    fn every_byte_and_every_pair() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(super::decode(&super::encode(&all)), Some(all));
        let is_hex = |c: u8| c.is_ascii_hexdigit();
        for a in 0..=127u8 {
            for b in 0..=127u8 {
                let Ok(pair) = std::str::from_utf8(&[a, b]).map(str::to_string) else { continue };
                if pair.trim().len() != 2 {
                    continue;
                }
                let decoded = super::decode(&pair);
                assert_eq!(decoded.is_some(), is_hex(a) && is_hex(b), "{pair:?}");
                if let Some(v) = decoded {
                    assert_eq!(v, vec![u8::from_str_radix(&pair, 16).unwrap()]);
                }
            }
        }
    }
}
