//! The canonical byte layout of acts (and the primitives entries use).
//!
//! Signed bytes must be the same in every language and every version of
//! casus, so they are written by hand here rather than by a serialization
//! framework: big-endian integers, strings as a `u32` length and UTF-8,
//! fields in one fixed order after a domain string (`casus/act/v1\0`).
//! Names are written as strings, never as symbol numbers: symbol numbers
//! depend on the order files were read in.
//!
//! An act that carries a field v1 has no place for (several parties it is
//! about, where it took place, a decision's recorded tally) is written as
//! `casus/act/v2`: the v1 fields, then those fields as tagged extensions in
//! ascending tag order. Every other act stays v1, byte for byte, so each
//! act has exactly one encoding and old ledgers keep their hashes.
//!
//! The decoder is strict, so that every byte string has at most one
//! meaning: unknown tags, trailing bytes, bad UTF-8 and oversized fields are
//! errors. Decoding then re-encoding gives the same bytes (tested), which is
//! what makes the encoding canonical. It never panics on any input.

use casus_model::{Act, ActKind, Citation, DecisionCount, Precision, Symbols, Time};

use crate::{LedgerError, MAX_ACT_BYTES, MAX_LIST_ITEMS, MAX_STRING_BYTES, Result};

/// Domain string that opens an encoded act without extensions.
pub const ACT_DOMAIN: &[u8] = b"casus/act/v1\0";
/// Domain string that opens an encoded act with at least one extension.
pub const ACT_DOMAIN_V2: &[u8] = b"casus/act/v2\0";

/// Extension tags of `casus/act/v2`, written in this ascending order.
mod tag {
    /// Further parties the act is about, after `about`: u32 count (≥ 1),
    /// then count × str, none empty.
    pub const ABOUT_MORE: u8 = 1;
    /// Where the act took place (`in`): a non-empty str.
    pub const PLACE: u8 = 2;
    /// A decision's recorded tally: u32 yes, u32 no, u32 abstaining.
    pub const VOTES: u8 = 3;
    /// A decision taken by acclamation: no value.
    pub const ACCLAMATION: u8 = 4;
    /// The kind of decision a proposal or transfer asks for (`kind
    /// KIND`), which selects the organ's rule: a non-empty str.
    pub const DECISION_KIND: u8 = 5;
}

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
    /// Further parties the act is about, after `about` (v2).
    pub about_more: Vec<&'a str>,
    /// Where the act took place, or empty (v2).
    pub place: &'a str,
    /// A recorded decision's tally (v2).
    pub count: Option<DecisionCount>,
    /// The kind of decision asked for, or empty (v2).
    pub decision_kind: &'a str,
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
            about_more: act.extra.as_ref().map(|e| e.about_more.iter().map(|&s| n(s)).collect()).unwrap_or_default(),
            place: act.place().map(n).unwrap_or(""),
            count: act.count(),
            decision_kind: n(act.decision_kind()),
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
            extra: (self.start.is_some() || self.end.is_some() || self.effective.is_some() || self.has_extensions()).then(|| {
                Box::new(casus_model::ActExtra {
                    start: self.start,
                    end: self.end,
                    effective: self.effective,
                    count: self.count,
                    place: i(self.place),
                    about_more: self.about_more.iter().map(|s| i(s)).collect(),
                    decision_kind: i(self.decision_kind),
                })
            }),
            title: i(self.title),
            reason: i(self.reason),
            condition: i(self.condition),
            text: i(self.text),
            note: i(self.note),
            sources: self.sources.iter().map(|(u, t)| Citation { url: i(u), title: i(t) }).collect(),
            ..Act::default()
        }
    }

    /// Whether the act needs `casus/act/v2`: it carries a field v1 has no
    /// place for.
    pub fn has_extensions(&self) -> bool {
        !self.about_more.is_empty() || !self.place.is_empty() || self.count.is_some() || !self.decision_kind.is_empty()
    }

    /// The canonical bytes; refuses acts over the limits, and an act whose
    /// further `about` parties have no first one (it has no canonical form).
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
        let lists = self.from.iter().chain(self.about_more.iter()).chain([&self.place, &self.decision_kind]);
        for s in strings.iter().chain(lists).chain(self.sources.iter().flat_map(|(a, b)| [a, b])) {
            if s.len() > MAX_STRING_BYTES {
                return Err(LedgerError::TooLarge { what: "string in an act", size: s.len(), max: MAX_STRING_BYTES });
            }
        }
        for (what, n) in [("`from` list", self.from.len()), ("source list", self.sources.len()), ("`about` list", self.about_more.len() + 1)] {
            if n > MAX_LIST_ITEMS {
                return Err(LedgerError::TooLarge { what, size: n, max: MAX_LIST_ITEMS });
            }
        }
        if !self.about_more.is_empty() && (self.about.is_empty() || self.about_more.iter().any(|s| s.is_empty())) {
            return Err(LedgerError::Refused("an act's `about` list has an empty name".into()));
        }
        let mut w = Writer::new();
        w.raw(if self.has_extensions() { ACT_DOMAIN_V2 } else { ACT_DOMAIN });
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
        if !self.about_more.is_empty() {
            w.u8(tag::ABOUT_MORE);
            w.u32(self.about_more.len() as u32);
            for s in &self.about_more {
                w.str(s);
            }
        }
        if !self.place.is_empty() {
            w.u8(tag::PLACE);
            w.str(self.place);
        }
        match self.count {
            None => {}
            Some(DecisionCount::Votes { yes, no, abstain }) => {
                w.u8(tag::VOTES);
                for n in [yes, no, abstain] {
                    w.u32(n);
                }
            }
            Some(DecisionCount::Acclamation) => w.u8(tag::ACCLAMATION),
        }
        if !self.decision_kind.is_empty() {
            w.u8(tag::DECISION_KIND);
            w.str(self.decision_kind);
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
        let v2 = bytes.starts_with(ACT_DOMAIN_V2);
        r.expect(if v2 { ACT_DOMAIN_V2 } else { ACT_DOMAIN })?;
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
        let (mut about_more, mut place, mut count, mut decision_kind) = (Vec::new(), "", None, "");
        if v2 {
            // Extensions in strictly ascending tag order, at least one, to
            // the end of the bytes: one encoding per act.
            let mut last = 0u8;
            while r.position() < bytes.len() {
                let t = r.u8()?;
                if t <= last {
                    return Err(r.err(format!("extension tag {t} after tag {last}")));
                }
                last = t;
                match t {
                    tag::ABOUT_MORE => {
                        let n = r.count()?;
                        if n == 0 || about.is_empty() {
                            return Err(r.err("an `about` list extension needs a first `about` and at least one more"));
                        }
                        for _ in 0..n {
                            let s = r.str()?;
                            if s.is_empty() {
                                return Err(r.err("an empty name in an `about` list"));
                            }
                            about_more.push(s);
                        }
                    }
                    tag::PLACE => {
                        place = r.str()?;
                        if place.is_empty() {
                            return Err(r.err("an empty place"));
                        }
                    }
                    tag::VOTES => count = Some(DecisionCount::Votes { yes: r.u32()?, no: r.u32()?, abstain: r.u32()? }),
                    tag::ACCLAMATION if count.is_none() => count = Some(DecisionCount::Acclamation),
                    tag::ACCLAMATION => return Err(r.err("a tally and acclamation on one act")),
                    tag::DECISION_KIND => {
                        decision_kind = r.str()?;
                        if decision_kind.is_empty() {
                            return Err(r.err("an empty kind of decision"));
                        }
                    }
                    t => return Err(r.err(format!("unknown extension tag {t}"))),
                }
            }
            if last == 0 {
                return Err(r.err("a v2 act without extensions (it is written as v1)"));
            }
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
            about_more,
            place,
            count,
            decision_kind,
        })
    }
}

/// Encodes an act, resolving its names through `symbols`.
pub fn encode_act(act: &Act, symbols: &Symbols) -> Result<Vec<u8>> {
    ActFields::of(act, symbols).encode()
}

/// Decodes an act, interning its names into `symbols`.
pub fn decode_act(bytes: &[u8], symbols: &mut Symbols) -> Result<Act> {
    Ok(ActFields::decode(bytes)?.to_act(symbols))
}

#[cfg(test)]
mod tests {
    /// An act with every v2 extension: several parties it is about, a
    /// place and a recorded tally.
    fn extended(symbols: &mut Symbols, count: DecisionCount) -> Act {
        let mut act =
            Act { id: symbols.intern("nac_art5"), time: Time::from_date(2001, 9, 12), actor: symbols.intern("NAC"), kind: ActKind::Decision, ..Act::default() };
        act.about = symbols.intern("USA");
        act.extra_mut().about_more = vec![symbols.intern("CAN"), symbols.intern("GBR")].into_boxed_slice();
        act.extra_mut().place = symbols.intern("north_america");
        act.extra_mut().count = Some(count);
        act
    }

    #[test]
    fn a_proposals_kind_of_decision_survives_the_ledger_as_v2() {
        let mut symbols = Symbols::new();
        let mut act = Act { id: symbols.intern("p"), actor: symbols.intern("AAA"), kind: ActKind::Propose, ..Act::default() };
        act.extra_mut().decision_kind = symbols.intern("substance");
        let bytes = encode_act(&act, &symbols).unwrap();
        assert!(bytes.starts_with(ACT_DOMAIN_V2) && bytes.ends_with(b"\x05\0\0\0\x09substance"));
        let mut other = Symbols::new();
        let back = decode_act(&bytes, &mut other).unwrap();
        assert_eq!(other.name(back.decision_kind()), "substance");
        assert_eq!(encode_act(&back, &other).unwrap(), bytes);
    }

    #[test]
    fn a_place_several_abouts_and_a_tally_survive_the_ledger_as_v2() {
        for count in [DecisionCount::Votes { yes: 17, no: 0, abstain: 4 }, DecisionCount::Acclamation] {
            let mut symbols = Symbols::new();
            let act = extended(&mut symbols, count);
            let bytes = encode_act(&act, &symbols).unwrap();
            assert!(bytes.starts_with(ACT_DOMAIN_V2));
            let mut other = Symbols::new();
            let back = decode_act(&bytes, &mut other).unwrap();
            let abouts: Vec<&str> = back.abouts().map(|s| other.name(s)).collect();
            assert_eq!(abouts, ["USA", "CAN", "GBR"]);
            assert_eq!(back.place().map(|p| other.name(p)), Some("north_america"));
            assert_eq!(back.count(), Some(count));
            assert_eq!(encode_act(&back, &other).unwrap(), bytes);
        }
    }

    #[test]
    fn an_act_without_extensions_stays_v1_and_v2_without_one_is_refused() {
        let mut symbols = Symbols::new();
        let bytes = encode_act(&sample(&mut symbols), &symbols).unwrap();
        assert!(bytes.starts_with(ACT_DOMAIN));
        // The same body under the v2 domain has no extension: not canonical.
        let mut v2 = ACT_DOMAIN_V2.to_vec();
        v2.extend_from_slice(&bytes[ACT_DOMAIN.len()..]);
        let err = ActFields::decode(&v2).expect_err("v2 with no extension");
        assert!(err.to_string().contains("without extensions"), "{err}");
    }

    #[test]
    fn v2_extensions_out_of_order_repeated_or_unknown_are_refused() {
        let mut symbols = Symbols::new();
        let bytes = encode_act(&extended(&mut symbols, DecisionCount::Acclamation), &symbols).unwrap();
        // The last byte is the acclamation tag (4); make it unknown (9),
        // repeat it, or put the place tag (2) after it.
        for (tail, why) in [(&[9u8][..], "unknown extension tag 9"), (&[4u8, 4][..], "after tag 4"), (&[4u8, 2, 0, 0, 0, 1, b'x'][..], "after tag 4")] {
            let mut b = bytes[..bytes.len() - 1].to_vec();
            b.extend_from_slice(tail);
            let err = ActFields::decode(&b).expect_err(why);
            assert!(err.to_string().contains(why), "{err}");
        }
    }

    /// The `casus/act/v2` vector of docs/LEDGER.md, written out by an
    /// independent encoder (a few lines of Python's `struct`, in the doc).
    #[test]
    fn v2_matches_the_independently_computed_vector() {
        let mut symbols = Symbols::new();
        let bytes = encode_act(&extended(&mut symbols, DecisionCount::Votes { yes: 17, no: 0, abstain: 4 }), &symbols).unwrap();
        assert_eq!(crate::hex::encode(&bytes), V2_VECTOR);
        assert_eq!(crate::hex::encode(&crate::sha256(&bytes)), V2_VECTOR_SHA256);
    }

    const V2_VECTOR: &str = "63617375732f6163742f763200000000086e61635f61727435000000003b9ea58000000000034e4143000000086465636973696f6e000000000000000000000000000000000000000355534100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000020000000343414e00000003474252020000000d6e6f7274685f616d657269636103000000110000000000000004";
    const V2_VECTOR_SHA256: &str = "3fc945a0123f0248b3d999359c49b9ee7d5e0ae3ed0a398ae1706485959c1684";

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
