//! The dashboard in a real browser: headless Chromium from Debian's
//! `chromium` and `chromium-driver` packages, driven over WebDriver with
//! fantoccini, against the real binary (`casus serve --demo`).
//!
//! The story a user follows: load the demo, toggle the reading of Article 4
//! and see the Armenian case's verdicts change, open an explanation, read
//! Armenia's refusal on the Yerevan declaration's signature sheet, then sign
//! a document from the command line and see the open ledger page update
//! within a second. Screenshots of the main pages (laptop and phone widths)
//! go to `artifacts/screenshots/`.
//!
//! Without Chromium the test fails (scripts/test installs it); it never
//! downloads a browser.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Kills a child process when dropped, so a failing test leaves nothing running.
struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let d = std::env::temp_dir().join(format!("casus-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn casus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_casus"))
}

/// Starts `casus serve --demo` and returns it with the address it prints.
fn serve(data: &Path) -> (Killed, String) {
    let mut child = casus()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("casus serve starts");
    let out = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(out).read_line(&mut line).unwrap();
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect("the address is printed").trim_end_matches('/').to_string();
    (Killed(child), url)
}

fn screenshots() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts/screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
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
    // A test that passes without running would hide a broken dashboard:
    // without a browser this fails, on every machine (scripts/test installs one).
    assert!(
        Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists(),
        "Chromium is not installed ({CHROMIUM}, {CHROMEDRIVER}): scripts/test installs Debian's chromium and chromium-driver"
    );
    let t0 = Instant::now();
    let step = |what: &str| eprintln!("[browser] {:>6} ms  {what}", t0.elapsed().as_millis());
    let data = scratch("browser-data");
    let (_server, url) = serve(&data);
    let port = free_port();
    let _driver = Killed(
        Command::new(CHROMEDRIVER).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("chromedriver starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    let profile = scratch("browser-profile");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.display()),
                     "--window-size=1280,900"]
        }),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session");

    step("session");
    // Overview, laptop then phone width.
    c.goto(&format!("{url}/?at=2022-12-01")).await.unwrap();
    let chair = c.find(Locator::Css("a.chair")).await.unwrap().text().await.unwrap();
    assert_eq!(chair, "ARM", "Armenia chairs the Council in 2022");
    shot(&c, "overview").await;
    c.set_window_size(390, 844).await.unwrap();
    shot(&c, "overview-phone").await;
    c.set_window_size(1280, 900).await.unwrap();

    step("overview");
    // The Armenian case under each reading of Article 4.
    c.goto(&format!("{url}/cases?at=2022-12-01")).await.unwrap();
    let by_request = statuses(&c, "arm_2022_09_art4").await;
    assert!(by_request.iter().any(|s| s.ends_with(":breached")), "{by_request:?}");
    shot(&c, "cases").await;
    c.find(Locator::Id("reading-art4_trigger-determination")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#reading-art4_trigger-determination.selected")).await.unwrap();
    let by_determination = statuses(&c, "arm_2022_09_art4").await;
    assert!(!by_determination.is_empty() && by_determination.iter().all(|s| s.ends_with(":not_triggered")), "{by_determination:?}");
    assert_ne!(by_request, by_determination);
    shot(&c, "cases-determination").await;

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
    shot(&c, "explain").await;

    step("explain");
    // The Yerevan declaration's signature sheet: Armenia's refusal and why.
    c.goto(&format!("{url}/documents?at=2022-12-01")).await.unwrap();
    let arm = c.find(Locator::Css("#doc-yerevan_declaration tr[data-party=ARM]")).await.unwrap();
    assert_eq!(arm.attr("data-position").await.unwrap().as_deref(), Some("refused"));
    assert!(arm.text().await.unwrap().contains("political assessment"));
    shot(&c, "documents").await;

    step("documents");
    c.goto(&format!("{url}/timeline?at=2022-12-01")).await.unwrap();
    step("timeline loaded");
    c.find(Locator::Css("svg.chart")).await.unwrap();
    step("timeline found");
    shot(&c, "timeline").await;

    step("timeline");
    // The ledger page, live: a signature from the command line shows within a second.
    c.goto(&format!("{url}/ledger")).await.unwrap();
    let verify = c.find(Locator::Id("verify")).await.unwrap().text().await.unwrap();
    assert!(verify.contains("Verified"), "{verify}");
    let before: u64 = c.find(Locator::Id("head")).await.unwrap().text().await.unwrap().parse().unwrap();
    // Let the page's event stream connect before the append.
    c.wait().for_element(Locator::Css("#live.on")).await.unwrap();
    let out = casus()
        .args(["sign", "--server", &url, "--key"])
        .arg(data.join("keys/KAZ.key"))
        .arg("yerevan_declaration")
        .output()
        .unwrap();
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
    assert!(first.contains("KAZ sign yerevan_declaration") && first.contains("actor"), "{first}");
    shot(&c, "ledger").await;

    step("ledger");
    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    let _ = std::fs::remove_dir_all(&data);
}
