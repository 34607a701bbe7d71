//! What the two browser test binaries share (`tests/browser.rs`,
//! `tests/exercise_browser.rs`): the child process, scratch directories and
//! ports, Chromium and chromedriver (Debian's packages; never downloaded), a
//! WebDriver session, and a page checked for sideways scrolling and saved
//! as a screenshot. Each binary uses only part of it.
#![allow(dead_code)]

pub mod child;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use child::Running;
use fantoccini::{Client, ClientBuilder};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A test that passes without running would hide a broken page: without a
/// browser the test fails, on every machine (scripts/test installs one).
pub fn require_chromium() {
    assert!(
        Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists(),
        "Chromium is not installed ({CHROMIUM}, {CHROMEDRIVER}): scripts/test installs Debian's chromium and chromium-driver"
    );
}

/// A fresh directory for one run (`casus-NAME-PID-NANOS`).
pub fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let d = std::env::temp_dir().join(format!("casus-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The casus binary under test.
pub fn casus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_casus"))
}

/// chromedriver on a free port, once it accepts connections.
pub fn chromedriver() -> Running {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("chromedriver starts");
    let driver = Running::new(child, format!("http://127.0.0.1:{port}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    driver
}

/// A headless Chromium session with its own profile directory, 1280 × 900.
pub async fn session(driver: &Running, profile: &Path) -> Client {
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
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new()).capabilities(caps).connect(&driver.url).await.expect("a WebDriver session")
}

/// Where screenshots go, for a person to look at.
pub fn screenshots() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts/screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Asserts the page now open does not scroll sideways at its current
/// width; returns the page's height.
pub async fn no_sideways_scroll(c: &Client, name: &str, width: u32) -> u32 {
    let size = c
        .execute("return [document.documentElement.scrollWidth, document.documentElement.clientWidth, document.documentElement.scrollHeight];", vec![])
        .await
        .unwrap();
    let size: Vec<u64> = serde_json::from_value(size).unwrap();
    assert!(size[0] <= size[1], "{name} at {width} px scrolls sideways: scrollWidth {} > clientWidth {}", size[0], size[1]);
    size[2] as u32
}

/// The whole page in one image, `FILE.png` (capped, so a long page stays
/// viewable).
pub async fn whole_page_shot(c: &Client, width: u32, height: u32, file: &str) {
    c.set_window_size(width, (height + 140).clamp(600, 7000)).await.unwrap();
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(screenshots().join(format!("{file}.png")), png).unwrap();
}
