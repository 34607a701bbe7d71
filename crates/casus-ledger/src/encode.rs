//! The canonical byte layout of acts (and the primitives entries use).
//!
//! Signed bytes must be the same in every language and every version of
//! casus, so they are written by hand here rather than by a serialization
//! framework: big-endian integers, strings as a `u32` length and UTF-8,
//! fields in one fixed order after a domain string (`casus/act/v1\0`).
//! Names are written as strings, never as symbol numbers: symbol numbers
//! depend on the order files were read in.
//!
//! The decoder is strict, so that every byte string has at most one
//! meaning: unknown tags, trailing bytes, bad UTF-8 and oversized fields are
//! errors. Decoding then re-encoding gives the same bytes (tested), which is
//! what makes the encoding canonical. It never panics on any input.

use casus_model::{Act, ActKind, Citation, Precision, Symbols, Time};

use crate::{LedgerError, MAX_ACT_BYTES, MAX_LIST_ITEMS, MAX_STRING_BYTES, Result};

/// Domain string that opens an encoded act.
pub const ACT_DOMAIN: &[u8] = b"casus/act/v1\0";

/// Appends canonical values to a byte buffer.
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn new() -> Writer {
        Writer { buf: Vec::with_capacity(256) }
    }
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    /// A length-prefixed byte string. The caller keeps lengths within limits.
    pub fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.raw(b);
    }
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    pub fn opt_time(&mut self, t: Option<Time>) {
        match t {
            None => self.u8(0),
            Some(t) => {
                self.u8(1);
                self.i64(t.0);
            }
        }
    }
}

/// Reads canonical values from a byte slice; every read is bounds-checked.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader { bytes, pos: 0, what }
    }
    pub fn err(&self, why: impl std::fmt::Display) -> LedgerError {
        LedgerError::decode(self.what, format!("at byte {}: {why}", self.pos))
    }
    pub fn position(&self) -> usize {
        self.pos
    }
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() - self.pos < n {
            return Err(self.err(format!("needs {n} more bytes, {} left", self.bytes.len() - self.pos)));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    pub fn expect(&mut self, domain: &[u8]) -> Result<()> {
        let got = self.take(domain.len())?;
        if got != domain {
            return Err(self.err(format!("expected domain {:?}", String::from_utf8_lossy(domain))));
        }
        Ok(())
    }
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    pub fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_be_bytes(self.array()?))
    }
    pub fn bytes(&mut self, max: usize) -> Result<&'a [u8]> {
        let len = self.u32()? as usize;
        if len > max {
            return Err(self.err(format!("length {len} exceeds {max}")));
        }
        self.take(len)
    }
    pub fn str(&mut self) -> Result<&'a str> {
        self.str_max(MAX_STRING_BYTES)
    }
    pub fn str_max(&mut self, max: usize) -> Result<&'a str> {
        let b = self.bytes(max)?;
        std::str::from_utf8(b).map_err(|e| self.err(format!("invalid UTF-8: {e}")))
    }
    /// A list count, bounded by [`MAX_LIST_ITEMS`].
    pub fn count(&mut self) -> Result<usize> {
        let n = self.u32()? as usize;
        if n > MAX_LIST_ITEMS {
            return Err(self.err(format!("list of {n} items exceeds {MAX_LIST_ITEMS}")));
        }
        Ok(n)
    }
    pub fn opt_time(&mut self) -> Result<Option<Time>> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(Time(self.i64()?))),
            t => Err(self.err(format!("option tag {t} is neither 0 nor 1"))),
        }
    }
    pub fn finish(&self) -> Result<()> {
        if self.pos != self.bytes.len() {
            return Err(self.err(format!("{} trailing bytes", self.bytes.len() - self.pos)));
        }
        Ok(())
    }
}

/// An act with its names resolved to strings: the form that is encoded.
/// Borrowing lets `verify` read an actor without interning anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActFields<'a> {
    pub id: &'a str,
    pub time: i64,
    pub precision: Precision,
    pub actor: &'a str,
    pub kind: ActKind,
    pub subject: &'a str,
    pub under: &'a str,
    pub to: &'a str,
    pub against: &'a str,
    pub about: &'a str,
    pub from: Vec<&'a str>,
    pub document: &'a str,
    pub means: &'a str,
    pub case: &'a str,
    pub organ: &'a str,
    pub personnel: u32,
    pub start: Option<Time>,
    pub end: Option<Time>,
    pub effective: Option<Time>,
    pub title: &'a str,
    pub reason: &'a str,
    pub condition: &'a str,
    pub text: &'a str,
    pub note: &'a str,
    /// (address, title) pairs.
    pub sources: Vec<(&'a str, &'a str)>,
}

impl<'a> ActFields<'a> {
    pub fn of(act: &Act, symbols: &'a Symbols) -> ActFields<'a> {
        let n = |s| symbols.name(s);
        ActFields {
            id: n(act.id),
            time: act.time.0,
            precision: act.precision,
            actor: n(act.actor),
            kind: act.kind,
            subject: n(act.subject),
            under: n(act.under),
            to: n(act.to),
            against: n(act.against),
            about: n(act.about),
            from: act.from.iter().map(|&s| n(s)).collect(),
            document: n(act.document),
            means: n(act.means),
            case: n(act.case),
            organ: n(act.organ),
            personnel: act.personnel,
            start: act.start(),
            end: act.end(),
            effective: act.effective(),
            title: n(act.title),
            reason: n(act.reason),
            condition: n(act.condition),
            text: n(act.text),
            note: n(act.note),
            sources: act.sources.iter().map(|c| (n(c.url), n(c.title))).collect(),
        }
    }

    /// Interns the names and builds the act. `attestation`, `recorded` and
    /// `span` are left at their defaults: the ledger sets the first two.
    pub fn to_act(&self, symbols: &mut Symbols) -> Act {
        let mut i = |s: &str| symbols.intern(s);
        Act {
            id: i(self.id),
            time: Time(self.time),
            precision: self.precision,
            actor: i(self.actor),
            kind: self.kind,
            subject: i(self.subject),
            under: i(self.under),
            to: i(self.to),
            against: i(self.against),
            about: i(self.about),
            from: self.from.iter().map(|s| i(s)).collect(),
            document: i(self.document),
            means: i(self.means),
            case: i(self.case),
            organ: i(self.organ),
            personnel: self.personnel,
            extra: (self.start.is_some() || self.end.is_some() || self.effective.is_some())
                .then(|| Box::new(casus_model::ActExtra { start: self.start, end: self.end, effective: self.effective, count: None, ..Default::default() })),
            title: i(self.title),
            reason: i(self.reason),
            condition: i(self.condition),
            text: i(self.text),
            note: i(self.note),
            sources: self.sources.iter().map(|(u, t)| Citation { url: i(u), title: i(t) }).collect(),
            ..Act::default()
        }
    }

    /// The canonical bytes; refuses acts over the limits.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let strings = [
            self.id,
            self.actor,
            self.subject,
            self.under,
            self.to,
            self.against,
            self.about,
            self.document,
            self.means,
            self.case,
            self.organ,
            self.title,
            self.reason,
            self.condition,
            self.text,
            self.note,
        ];
        for s in strings.iter().chain(self.from.iter()).chain(self.sources.iter().flat_map(|(a, b)| [a, b])) {
            if s.len() > MAX_STRING_BYTES {
                return Err(LedgerError::TooLarge { what: "string in an act", size: s.len(), max: MAX_STRING_BYTES });
            }
        }
        for (what, n) in [("`from` list", self.from.len()), ("source list", self.sources.len())] {
            if n > MAX_LIST_ITEMS {
                return Err(LedgerError::TooLarge { what, size: n, max: MAX_LIST_ITEMS });
            }
        }
        let mut w = Writer::new();
        w.raw(ACT_DOMAIN);
        w.str(self.id);
        w.i64(self.time);
        // Tags 0 and 1 are the original two precisions; a window is
        // followed by its length in seconds.
        match self.precision {
            Precision::Day => w.u8(0),
            Precision::Second => w.u8(1),
            Precision::Minute => w.u8(2),
            Precision::Window(len) => {
                w.u8(3);
                w.u32(len);
            }
            Precision::Before => w.u8(4),
        }
        w.str(self.actor);
        w.str(self.kind.keyword());
        for s in [self.subject, self.under, self.to, self.against, self.about] {
            w.str(s);
        }
        w.u32(self.from.len() as u32);
        for s in &self.from {
            w.str(s);
        }
        for s in [self.document, self.means, self.case, self.organ] {
            w.str(s);
        }
        w.u32(self.personnel);
        for t in [self.start, self.end, self.effective] {
            w.opt_time(t);
        }
        for s in [self.title, self.reason, self.condition, self.text, self.note] {
            w.str(s);
        }
        w.u32(self.sources.len() as u32);
        for (url, title) in &self.sources {
            w.str(url);
            w.str(title);
        }
        if w.buf.len() > MAX_ACT_BYTES {
            return Err(LedgerError::TooLarge { what: "encoded act", size: w.buf.len(), max: MAX_ACT_BYTES });
        }
        Ok(w.buf)
    }

    /// Decodes canonical act bytes, borrowing the strings.
    pub fn decode(bytes: &'a [u8]) -> Result<ActFields<'a>> {
        if bytes.len() > MAX_ACT_BYTES {
            return Err(LedgerError::TooLarge { what: "encoded act", size: bytes.len(), max: MAX_ACT_BYTES });
        }
        let mut r = Reader::new(bytes, "act");
        r.expect(ACT_DOMAIN)?;
        let id = r.str()?;
        let time = r.i64()?;
        let precision = match r.u8()? {
            0 => Precision::Day,
            1 => Precision::Second,
            2 => Precision::Minute,
            3 => Precision::Window(r.u32()?),
            4 => Precision::Before,
            p => return Err(r.err(format!("precision tag {p}"))),
        };
        let actor = r.str()?;
        let kind_word = r.str()?;
        let kind = ActKind::from_keyword(kind_word).ok_or_else(|| r.err(format!("unknown act kind {kind_word:?}")))?;
        let [subject, under, to, against, about] = [r.str()?, r.str()?, r.str()?, r.str()?, r.str()?];
        let n = r.count()?;
        let mut from = Vec::with_capacity(n);
        for _ in 0..n {
            from.push(r.str()?);
        }
        let [document, means, case, organ] = [r.str()?, r.str()?, r.str()?, r.str()?];
        let personnel = r.u32()?;
        let [start, end, effective] = [r.opt_time()?, r.opt_time()?, r.opt_time()?];
        let [title, reason, condition, text, note] = [r.str()?, r.str()?, r.str()?, r.str()?, r.str()?];
        let n = r.count()?;
        let mut sources = Vec::with_capacity(n);
        for _ in 0..n {
            sources.push((r.str()?, r.str()?));
        }
        r.finish()?;
        Ok(ActFields {
            id,
            time,
            precision,
            actor,
            kind,
            subject,
            under,
            to,
            against,
            about,
            from,
            document,
            means,
            case,
            organ,
            personnel,
            start,
            end,
            effective,
            title,
            reason,
            condition,
            text,
            note,
            sources,
        })
    }
}

/// Encodes an act, resolving its names through `symbols`. An act that
/// records a decision's tally (`votes Y N A`, `by acclamation`), a place
/// (`in`) or several parties it is about is refused: the act encoding has
/// no field for them yet, and a verdict must not change silently because a
/// record entered the ledger.
pub fn encode_act(act: &Act, symbols: &Symbols) -> Result<Vec<u8>> {
    // What the act encoding has no field for yet: refused, never dropped.
    let missing = if act.count().is_some() {
        Some("records a decision's tally (`votes` or `by acclamation`)")
    } else if act.place().is_some() {
        Some("says where it took place (`in`)")
    } else if act.abouts().nth(1).is_some() {
        Some("is about more than one party (`about A B`)")
    } else {
        None
    };
    if let Some(what) = missing {
        return Err(LedgerError::Refused(format!(
            "act `{}` {what}, which the ledger's act encoding does not carry yet; keep it in a record file",
            symbols.name(act.id)
        )));
    }
    ActFields::of(act, symbols).encode()
}

/// Decodes an act, interning its names into `symbols`.
pub fn decode_act(bytes: &[u8], symbols: &mut Symbols) -> Result<Act> {
    Ok(ActFields::decode(bytes)?.to_act(symbols))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_act_with_a_place_or_several_abouts_is_refused_rather_than_losing_them() {
        let mut symbols = Symbols::new();
        let mut act = Act { time: Time::from_date(2001, 9, 12), actor: symbols.intern("NAC"), kind: casus_model::ActKind::Decision, ..Act::default() };
        act.id = symbols.intern("nac_art5");
        act.extra_mut().place = symbols.intern("parties_in_north_america");
        let err = encode_act(&act, &symbols).expect_err("a place cannot be encoded");
        assert!(err.to_string().contains("says where it took place (`in`)"), "{err}");
        act.extra_mut().place = casus_model::Sym::NONE;
        act.about = symbols.intern("ARM");
        act.extra_mut().about_more = vec![symbols.intern("AZE")].into_boxed_slice();
        let err = encode_act(&act, &symbols).expect_err("a second about cannot be encoded");
        assert!(err.to_string().contains("more than one party"), "{err}");
    }

    #[test]
    fn an_act_with_a_recorded_tally_is_refused_rather_than_losing_it() {
        let mut symbols = Symbols::new();
        let mut act = Act { id: symbols.intern("d"), kind: casus_model::ActKind::Decision, ..Act::default() };
        assert!(encode_act(&act, &symbols).is_ok());
        act.extra_mut().count = Some(casus_model::DecisionCount::Votes { yes: 17, no: 0, abstain: 4 });
        let err = encode_act(&act, &symbols).expect_err("a tally cannot be encoded");
        assert!(err.to_string().contains("tally"), "{err}");
    }

    use super::*;

    pub(crate) fn sample(symbols: &mut Symbols) -> Act {
        let mut i = |s: &str| symbols.intern(s);
        Act {
            id: i("arm_2022_09_art4"),
            time: Time::from_date(2022, 9, 14),
            actor: i("ARM"),
            kind: ActKind::Request,
            subject: i("assistance"),
            under: i("art4"),
            to: i("CSC"),
            from: vec![i("RUS"), i("KAZ")].into(),
            extra: Some(Box::new(casus_model::ActExtra { start: Some(Time::from_date(2022, 9, 15)), ..Default::default() })),
            reason: i("Ünïcode reason"),
            sources: vec![Citation { url: i("https://example.org/a"), title: i("A title") }].into(),
            ..Act::default()
        }
    }

    #[test]
    fn round_trip_is_canonical() {
        let mut syms = Symbols::new();
        let act = sample(&mut syms);
        let bytes = encode_act(&act, &syms).unwrap();
        // Decode into a fresh interner: symbol numbers differ, bytes do not.
        let mut other = Symbols::new();
        other.intern("padding so numbers differ");
        let back = decode_act(&bytes, &mut other).unwrap();
        assert_ne!(back.actor, act.actor);
        assert_eq!(other.name(back.actor), "ARM");
        assert_eq!(encode_act(&back, &other).unwrap(), bytes);
    }

    #[test]
    fn every_precision_round_trips() {
        for precision in [Precision::Day, Precision::Minute, Precision::Second, Precision::Window(3 * 86_400 - 1), Precision::Before] {
            let mut syms = Symbols::new();
            let act = Act { precision, ..sample(&mut syms) };
            let bytes = encode_act(&act, &syms).unwrap();
            let back = decode_act(&bytes, &mut syms).unwrap();
            assert_eq!(back.precision, precision);
            assert_eq!(encode_act(&back, &syms).unwrap(), bytes);
        }
    }

    #[test]
    fn decoder_rejects_every_truncation_and_trailing_bytes() {
        let mut syms = Symbols::new();
        let bytes = encode_act(&sample(&mut syms), &syms).unwrap();
        for n in 0..bytes.len() {
            assert!(ActFields::decode(&bytes[..n]).is_err(), "prefix of {n} bytes decoded");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(ActFields::decode(&long).is_err());
    }

    #[test]
    fn decoder_never_panics_on_flipped_bytes() {
        let mut syms = Symbols::new();
        let bytes = encode_act(&sample(&mut syms), &syms).unwrap();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                // Either an error or a different, re-encodable act.
                if let Ok(f) = ActFields::decode(&b) {
                    assert_eq!(f.encode().unwrap(), b);
                }
            }
        }
    }

    #[test]
    fn oversized_strings_are_refused() {
        let big = "x".repeat(MAX_STRING_BYTES + 1);
        let f = ActFields { text: &big, ..ActFields::default() };
        assert!(matches!(f.encode(), Err(LedgerError::TooLarge { .. })));
    }
}
