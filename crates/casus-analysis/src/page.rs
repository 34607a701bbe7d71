//! The shell of every self-contained HTML page `casus report` writes (the
//! invocations with their timeline, the duties fulfilled under each
//! reading): one doctype, head, stylesheet and heading, so that the pages
//! look alike and are escaped alike.

use casus_query::html::esc;

/// The pages' one stylesheet: readable tables, and charts that scale to the screen.
const PAGE_STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1rem;max-width:80rem}table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.3rem;vertical-align:top;text-align:left}svg{width:100%;height:auto}";

/// A whole page: `title` (the browser's, prefixed with "casus: ") and
/// `heading` (the one `<h1>`) are text and escaped here; `body` is HTML,
/// already escaped by its writer, and follows the heading.
pub fn html_page(title: &str, heading: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>casus: {}</title><style>{PAGE_STYLE}</style></head><body><h1>{}</h1>{body}</body></html>\n",
        esc(title),
        esc(heading)
    )
}

#[cfg(test)]
mod tests {
    use super::html_page;

    #[test]
    fn title_and_heading_are_escaped_and_the_body_is_not() {
        let page = html_page("a <b> & \"c\"", "Heading <i>", "<p>body</p>");
        assert!(page.contains("<title>casus: a &lt;b&gt; &amp; &quot;c&quot;</title>"), "{page}");
        assert!(page.contains("<h1>Heading &lt;i&gt;</h1><p>body</p></body>"), "{page}");
        assert!(!page.contains("<b>") && !page.contains("<i>"), "{page}");
    }

    #[test]
    fn a_page_has_one_heading_one_title_and_ends_with_a_newline() {
        let page = html_page("t", "h", "<table></table>");
        assert!(page.starts_with("<!doctype html>\n<html lang=\"en\"><head>"), "{page}");
        assert_eq!(page.matches("<h1>").count(), 1, "{page}");
        assert_eq!(page.matches("<title>").count(), 1, "{page}");
        assert!(page.ends_with("</body></html>\n"), "{page}");
    }
}
