//! Sources that are mirrors: the list of known mirror and aggregator hosts,
//! and the warning (W0003) on an act that cites one.
//!
//! A verdict is only as good as the acts it rests on, and an act only as
//! good as its sources. Some sites republish other outlets' reports or
//! encyclopedia articles, often undated, unsigned or rewritten by machine;
//! a reader cannot tell from them what the original said. The list of such
//! hosts is data (`mirror_hosts.txt`, one host a line), so that adding one
//! is a one-line change reviewed like any other; the rule for what counts
//! as primary, reputable or mirror is in `docs/SOURCES.md`.
//!
//! The check looks only at addresses: a source given by title alone names
//! no host, and is left to the reader.

use crate::diagnostic::{Diagnostic, codes};
use casus_model::Span;

/// The list, embedded at build time.
const MIRROR_HOSTS_TXT: &str = include_str!("mirror_hosts.txt");

/// The longest address the check looks at, in bytes; a longer one is
/// checked on its first `URL_BYTES_MAX` bytes (the host comes first).
const URL_BYTES_MAX: usize = 4096;

/// The listed hosts, in file order: each non-empty line that is not a
/// `#` comment, trimmed.
pub fn mirror_hosts() -> impl Iterator<Item = &'static str> {
    MIRROR_HOSTS_TXT.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The host of an `http://` or `https://` address, in lower case, without
/// user information, port or a trailing dot. `None` for anything else.
pub fn host_of(url: &str) -> Option<String> {
    let url = url.get(..URL_BYTES_MAX.min(url.len())).unwrap_or(url);
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = host_port.split(':').next().unwrap_or("").trim_end_matches('.');
    (!host.is_empty()).then(|| host.to_string())
}

/// The listed host that `url`'s host is, or is a subdomain of
/// (`www.pledgetimes.com` is `pledgetimes.com`).
pub fn mirror_host(url: &str) -> Option<&'static str> {
    let host = host_of(url)?;
    mirror_hosts().find(|m| host == *m || host.strip_suffix(m).is_some_and(|sub| sub.ends_with('.')))
}

/// W0003 for a source whose address is on a listed host; `span` is the
/// address as written.
pub(crate) fn mirror_warning(url: &str, span: Span) -> Option<Diagnostic> {
    let host = mirror_host(url)?;
    Some(
        Diagnostic::warning(codes::MIRROR_SOURCE, span, format!("`{host}` is a known mirror or aggregator, not a primary or reputable source"))
            .label("listed in crates/casus-lang/src/mirror_hosts.txt")
            .help("cite the original: the organ's or government's own site, or a news agency or newspaper of record; if none is found, keep this source and say so in the act's `note` (see docs/SOURCES.md)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_from_addresses() {
        assert_eq!(host_of("https://www.PledgeTimes.com/a/b?c#d").as_deref(), Some("www.pledgetimes.com"));
        assert_eq!(host_of("http://user@socialbites.ca:8080/x").as_deref(), Some("socialbites.ca"));
        assert_eq!(host_of("https://jinicms.com./x").as_deref(), Some("jinicms.com"));
        assert_eq!(host_of("TASS, 6 January 2022"), None);
        assert_eq!(host_of("ftp://pledgetimes.com/x"), None);
        assert_eq!(host_of("https:///x"), None);
    }

    #[test]
    fn listed_hosts_and_their_subdomains_match_and_nothing_else() {
        assert_eq!(mirror_host("https://pledgetimes.com/x"), Some("pledgetimes.com"));
        assert_eq!(mirror_host("https://www.pledgetimes.com/x"), Some("pledgetimes.com"));
        assert_eq!(mirror_host("http://theblacktrufflecompany.com/pashinyan"), Some("theblacktrufflecompany.com"));
        // A host that merely ends with the same letters is another site.
        assert_eq!(mirror_host("https://notpledgetimes.com/x"), None);
        // A listed name in the path is not the host.
        assert_eq!(mirror_host("https://tass.com/pledgetimes.com"), None);
        assert_eq!(mirror_host("https://tass.com/world/1384331"), None);
        assert_eq!(mirror_host("https://akorda.kz/en/x"), None);
    }

    #[test]
    fn the_list_is_clean() {
        let hosts: Vec<&str> = mirror_hosts().collect();
        assert!(hosts.len() >= 5 && hosts.len() <= 100, "the list is meant to be short: {} hosts", hosts.len());
        let mut sorted = hosts.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, hosts, "keep mirror_hosts.txt sorted and without duplicates");
        for h in hosts {
            assert!(
                h.contains('.') && !h.starts_with("www.") && h.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'),
                "`{h}` is not a bare lower-case host"
            );
            assert_eq!(host_of(&format!("https://{h}/")).as_deref(), Some(h));
        }
    }

    #[test]
    fn the_warning_points_at_the_address() {
        let d = mirror_warning("https://socialbites.ca/politics/119445", Span::new(10, 50)).expect("a mirror");
        assert_eq!(d.code, "W0003");
        assert!(!d.is_error());
        assert_eq!(d.span, Span::new(10, 50));
        assert!(d.message.contains("socialbites.ca"));
        assert!(mirror_warning("https://tass.com/politics/1541145", Span::new(0, 1)).is_none());
    }

    /// Through the record loader: the mirror address gets W0003 at its own
    /// line and column; the original, and a title-only source, get nothing.
    #[test]
    fn a_record_citing_a_mirror_is_warned_where_it_cites_it() {
        let treaty_text = include_str!("../tests/corpus/base-treaty.md");
        let record_text = include_str!("../tests/corpus/record/mirror-source.acts");
        let mut symbols = casus_model::Symbols::new();
        let (treaty, tdiags) = crate::load_treaty("base-treaty.md", treaty_text, &mut symbols);
        assert!(tdiags.is_empty());
        let (record, diags) = crate::load_record("mirror-source.acts", record_text, &treaty, &mut symbols);
        assert_eq!(record.acts.len(), 2);
        let index = crate::LineIndex::new(record_text);
        let found: Vec<(&str, (usize, usize))> = diags.iter().map(|d| (d.code, index.line_col(d.span.start))).collect();
        assert_eq!(found, vec![("W0003", (3, 12))]);
    }
}
