//! HTML escaping, written once for every page and chart: the server's
//! dashboard, its SVG and the after-action report, and the pages the
//! analysis crate renders for `casus report`. It lives in the layer because
//! both front ends and the analysis crate sit on it.

/// Escapes text for SVG and HTML (element content and quoted attributes).
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn every_character_with_a_meaning_in_html_is_escaped() {
        assert_eq!(esc(r#"<a href="x">Tom & 'Jerry'</a>"#), "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
        assert_eq!(esc("plain text, ünïcode"), "plain text, ünïcode");
    }
}
