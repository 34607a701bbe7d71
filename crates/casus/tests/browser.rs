//! The dashboard in a real browser: headless Chromium from Debian's
//! `chromium` and `chromium-driver` packages, driven over WebDriver with
//! fantoccini, against the real binary (`casus serve --demo`).
//!
//! The story a user follows: load the demo, toggle the reading of Article 4
//! and see the Armenian case's verdicts change, open an explanation, read
//! Armenia's refusal on the Yerevan declaration's signature sheet, then sign
//! a document from the command line and see the open ledger page update
//! within a second. Every page is shown at a laptop's 1280 px and a phone's
//! 390 px, checked for horizontal overflow (`scrollWidth <= clientWidth`),
//! and saved as a screenshot of the whole page to `artifacts/screenshots/`
//! (`NAME-1280.png`, `NAME-390.png`) for a person to look at.
//!
//! Without Chromium the test fails (scripts/test installs it); it never
//! downloads a browser.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::child::{Running, listening};
use common::{casus, chromedriver, no_sideways_scroll, require_chromium, scratch, session, whole_page_shot};
use fantoccini::{Client, Locator};

/// Starts `casus serve --demo`, killed when dropped.
fn serve(data: &Path) -> Running {
    let mut cmd = casus();
    cmd.args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"]).arg(data);
    listening(cmd)
}

const CHART_CHECK: &str = r#"const out = [];
for (const svg of document.querySelectorAll('svg.chart')) {
  if (!svg.getClientRects().length) continue;
  const box = svg.getBoundingClientRect();
  const at = svg.querySelector('.at-label').getBoundingClientRect();
  if (at.left < box.left - 0.5 || at.right > box.right + 0.5 || at.top < box.top - 0.5) out.push('date marker clipped');
  const ls = [...svg.querySelectorAll('.act-label')].map(e => e.getBoundingClientRect());
  for (let i = 0; i < ls.length; i++) for (let j = i + 1; j < ls.length; j++) {
    const a = ls[i], b = ls[j];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) out.push('labels overlap');
  }
  if (svg.querySelector('.act') && !ls.length) out.push('no act labels');
}
return out;"#;

/// Both widths of the page now open: no horizontal scrolling at either, and
/// a screenshot of the whole page at each.
async fn widths(c: &Client, name: &str) {
    for width in [1280u32, 390] {
        c.set_window_size(width, 900).await.unwrap();
        let height = no_sideways_scroll(c, name, width).await;
        // In the chart shown at this width, the date marker's label lies
        // inside the drawing and no two act labels overlap.
        let charts = c.execute(CHART_CHECK, vec![]).await.unwrap();
        assert_eq!(charts, serde_json::json!([]), "{name} at {width} px");
        whole_page_shot(c, width, height, &format!("{name}-{width}")).await;
    }
    c.set_window_size(1280, 900).await.unwrap();
}

async fn statuses(c: &Client, case: &str) -> Vec<String> {
    let rows = c.find_all(Locator::Css(&format!("#case-{case} tr[data-status]"))).await.unwrap();
    let mut out = Vec::new();
    for r in rows {
        let debtor = r.attr("data-debtor").await.unwrap().unwrap_or_default();
        let status = r.attr("data-status").await.unwrap().unwrap_or_default();
        out.push(format!("{debtor}:{status}"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_chromium() {
    require_chromium();
    let t0 = Instant::now();
    let step = |what: &str| eprintln!("[browser] {:>6} ms  {what}", t0.elapsed().as_millis());
    let data = scratch("browser-data");
    let server = serve(&data);
    let url = server.url.clone();
    let driver = chromedriver();
    let profile = scratch("browser-profile");
    let c = session(&driver, &profile).await;

    step("session");
    // The demo opens at the record's featured date and leads with the story.
    c.goto(&format!("{url}/")).await.unwrap();
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert!(h1.ends_with("on 1 December 2022"), "the demo opens at its featured date: {h1}");
    let lines = c.find_all(Locator::Css("ul.story li.featured")).await.unwrap();
    let mut story = Vec::new();
    for l in lines {
        story.push(l.text().await.unwrap());
    }
    assert_eq!(story.len(), 2, "{story:?}");
    assert!(story[0].starts_with("Kazakhstan, January 2022:") && story[0].contains("given by all five within a day"), "{story:?}");
    assert!(
        story[1].starts_with("Armenia, September 2022: no assistance")
            && story[1].contains("Article 4 triggers the duty” (chosen), not triggered if “Only a CSC determination"),
        "{story:?}"
    );
    let chair = c.find(Locator::Css("a.chair")).await.unwrap().text().await.unwrap();
    assert_eq!(chair, "Armenia", "Armenia chairs the Council in 2022");
    widths(&c, "overview").await;
    // A story line leads to its case.
    c.find(Locator::Css("ul.story li.featured a")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#case-kaz_2022_01_art4")).await.unwrap();
    assert!(c.current_url().await.unwrap().as_str().ends_with("#case-kaz_2022_01_art4"));

    step("overview");
    // The Armenian case under each reading of Article 4.
    c.goto(&format!("{url}/cases?at=2022-12-01")).await.unwrap();
    let by_request = statuses(&c, "arm_2022_09_art4").await;
    assert!(by_request.iter().any(|s| s.ends_with(":breached")), "{by_request:?}");
    widths(&c, "cases").await;
    c.find(Locator::Id("reading-art4_trigger-determination")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#reading-art4_trigger-determination.selected")).await.unwrap();
    let by_determination = statuses(&c, "arm_2022_09_art4").await;
    assert!(!by_determination.is_empty() && by_determination.iter().all(|s| s.ends_with(":not_triggered")), "{by_determination:?}");
    assert_ne!(by_request, by_determination);
    widths(&c, "cases-determination").await;

    step("cases");
    // Back to the default reading, then a verdict's explanation.
    c.find(Locator::Id("reading-art4_trigger-request")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#reading-art4_trigger-request.selected")).await.unwrap();
    c.find(Locator::Css("#case-arm_2022_09_art4 a.verdict")).await.unwrap().click().await.unwrap();
    let fact = c.wait().for_element(Locator::Id("fact")).await.unwrap().text().await.unwrap();
    assert!(fact.starts_with("obligation/arm_2022_09_art4/"), "{fact}");
    let quote = c.find(Locator::Css("blockquote")).await.unwrap().text().await.unwrap();
    assert!(!quote.is_empty());
    let page = c.source().await.unwrap();
    assert!(page.contains("Treaty version") && page.contains("attested by"), "the explanation names the version and the attestation");
    widths(&c, "explain").await;

    step("explain");
    // The Yerevan declaration's signature sheet: Armenia's refusal and why.
    c.goto(&format!("{url}/documents?at=2022-12-01")).await.unwrap();
    let arm = c.find(Locator::Css("#doc-yerevan_declaration tr[data-party=ARM]")).await.unwrap();
    assert_eq!(arm.attr("data-position").await.unwrap().as_deref(), Some("refused"));
    assert!(arm.text().await.unwrap().contains("political assessment"));
    widths(&c, "documents").await;

    step("documents");
    c.goto(&format!("{url}/timeline?at=2022-12-01")).await.unwrap();
    c.find(Locator::Css("svg.chart")).await.unwrap();
    widths(&c, "timeline").await;

    step("timeline");
    // "As known at" before anything was recorded says why the page is empty.
    c.goto(&format!("{url}/?at=2022-12-01&as_of=2000-01-01")).await.unwrap();
    let notice = c.find(Locator::Id("notice")).await.unwrap().text().await.unwrap();
    assert!(notice.starts_with("Nothing had been recorded by 1 January 2000") && notice.contains("first act was recorded on"), "{notice}");
    widths(&c, "overview-as-known-before-records").await;
    // A bad date in a page's address gives a page that says so.
    c.goto(&format!("{url}/cases?at=2022-13-01")).await.unwrap();
    let message = c.find(Locator::Id("error-message")).await.unwrap().text().await.unwrap();
    assert!(message.contains("2022-13-01") && message.contains("not a date"), "{message}");
    widths(&c, "bad-date").await;

    step("notices");
    // The ledger page, live: a signature from the command line shows within a second.
    c.goto(&format!("{url}/ledger")).await.unwrap();
    let verify = c.find(Locator::Id("verify")).await.unwrap().text().await.unwrap();
    assert!(verify.contains("Verified"), "{verify}");
    let before: u64 = c.find(Locator::Id("head")).await.unwrap().text().await.unwrap().parse().unwrap();
    // Let the page's event stream connect before the append.
    c.wait().for_element(Locator::Css("#live.on")).await.unwrap();
    let out = casus().args(["sign", "--server", &url, "--key"]).arg(data.join("keys/KAZ.key")).arg("yerevan_declaration").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let signed = Instant::now();
    loop {
        let head: u64 = c.find(Locator::Id("head")).await.unwrap().text().await.unwrap().parse().unwrap_or(0);
        if head == before + 1 {
            break;
        }
        assert!(signed.elapsed() < Duration::from_secs(1), "the page did not update within a second");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let first = c.find(Locator::Css("#entries tr")).await.unwrap().text().await.unwrap();
    assert!(first.contains("Kazakhstan · sign · Declaration of the Collective Security Council") && first.contains("actor"), "{first}");
    // An act's row gives its date and links to its explanation.
    let link = c.find(Locator::Css("#entries tr a.act-explain")).await.unwrap().attr("href").await.unwrap().unwrap_or_default();
    assert!(link.starts_with("/explain?fact=document%2Fyerevan_declaration"), "{link}");
    widths(&c, "ledger").await;

    step("ledger");
    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    let _ = std::fs::remove_dir_all(&data);
}
