//! A live exercise played in real browsers: headless Chromium from Debian's
//! `chromium` and `chromium-driver` packages, driven over WebDriver with
//! fantoccini, against the real binary (`casus exercise new`, then
//! `casus serve --data-dir`), as `tests/browser.rs` drives the dashboard.
//!
//! Six delegations play `exercises/exercise-lakes.md` to its end in six
//! Chromium sessions, control in a seventh: each opens its join link, its
//! browser creates an Ed25519 key with WebCrypto and joins; control
//! releases the injects; Borvania asks for assistance; the drafts reach
//! every delegation's page by server-sent events within a second (the
//! page's own polling is every 5 s); Castelia refuses the declaration with
//! a reason and a condition, the others sign it and the assistance
//! decision; Aldoria and Durnia give assistance; control advances the clock
//! past the deadlines; an evaluator writes an observation; the after-action
//! report shows the declaration blocked by Castelia and the duty fulfilled
//! by Aldoria and Durnia and breached by Eskaria and Fernlund. Every view
//! is shown at 1280 px and 390 px, checked for horizontal overflow, and
//! saved to `artifacts/screenshots/exercise-*.png`.
//!
//! Without Chromium the test fails; it never downloads a browser.
//!
//! Beside it, without a browser: the exercise commands themselves (`casus
//! check` on scenarios, `exercise new`, `msel export` and `import`, `clone`)
//! with their refusals and exit codes.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::child::{Running, listening};
use common::{casus, chromedriver, free_port, no_sideways_scroll, require_chromium, scratch, whole_page_shot};
use fantoccini::Client;
use serde_json::{Value, json};
/// How long a change may take to reach a page by server-sent events (the
/// page polls only every 5 s, so this proves the events).
const LIVE_WITHIN: Duration = Duration::from_millis(1500);

/// The page at both widths: no sideways scrolling; a whole-page screenshot at each.
async fn widths(c: &Client, name: &str) {
    for width in [1280u32, 390] {
        c.set_window_size(width, 900).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        let height = no_sideways_scroll(c, name, width).await;
        whole_page_shot(c, width, height, &format!("exercise-{name}-{width}")).await;
    }
    c.set_window_size(1280, 900).await.unwrap();
}

/// Runs a script in the page (atomic against the page's own re-rendering).
async fn js(c: &Client, script: &str, args: Vec<Value>) -> Value {
    c.execute(script, args).await.expect("script")
}

/// Waits until a script returns true; returns how long it took.
async fn until(c: &Client, what: &str, script: &str, args: Vec<Value>, within: Duration) -> Duration {
    let t0 = Instant::now();
    loop {
        if js(c, script, args.clone()).await == json!(true) {
            return t0.elapsed();
        }
        assert!(t0.elapsed() < within, "waited {within:?} for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const EXISTS: &str = "return !!document.querySelector(arguments[0]);";
const CLICK: &str = "const e = document.querySelector(arguments[0]); if (!e) return false; e.click(); return true;";
/// Fills the form `arguments[0]` with `arguments[1]` (name → value) and submits it.
const SUBMIT: &str = r#"const f = document.querySelector(arguments[0]); if (!f) return false;
for (const [k, v] of Object.entries(arguments[1])) f.elements[k].value = v;
f.requestSubmit(); return true;"#;
/// The text of the last alert (a refusal's message, for the failure report).
const LAST_ALERT: &str = "const a = document.querySelector('#x-alerts .alert'); return a ? a.textContent : '';";

async fn click(c: &Client, css: &str) {
    assert_eq!(js(c, CLICK, vec![json!(css)]).await, json!(true), "nothing to click at {css}");
}

async fn session(driver: &Running, name: &str) -> Client {
    common::session(driver, &scratch(&format!("exercise-profile-{name}"))).await
}

/// Opens a join link and joins: the browser creates its key and registers it.
async fn join(c: &Client, link: &str, ready: &str) {
    c.goto(link).await.unwrap();
    until(c, "the join button", EXISTS, vec![json!("#x-join")], Duration::from_secs(10)).await;
    click(c, "#x-join").await;
    let joined = "return !document.querySelector('#x-join') && !!document.querySelector(arguments[0]);";
    until(c, &format!("the view after joining ({ready})"), joined, vec![json!(ready)], Duration::from_secs(10)).await;
}

/// Signs the act a form describes and waits for the page to show it.
async fn act_and_wait(c: &Client, who: &str, form: &str, values: Value, shown: &str) {
    assert_eq!(js(c, SUBMIT, vec![json!(form), values]).await, json!(true), "{who}: no form {form}");
    let t0 = Instant::now();
    while js(c, EXISTS, vec![json!(shown)]).await != json!(true) {
        assert!(t0.elapsed() < Duration::from_secs(10), "{who}: {shown} did not appear; last alert: {}", js(c, LAST_ALERT, vec![]).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_delegations_play_an_exercise_in_chromium() {
    require_chromium();
    let t0 = Instant::now();
    let step = |what: &str| eprintln!("[exercise] {:>6} ms  {what}", t0.elapsed().as_millis());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = scratch("exercise-data").join("lakes");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let out = casus()
        .args(["exercise", "new"])
        .arg(root.join("exercises/exercise-lakes.md"))
        .arg("--data-dir")
        .arg(&data)
        .args(["--url", &url])
        .output()
        .expect("casus exercise new");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let links: Vec<(String, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w[1].to_string(), w[2].to_string())
        })
        .collect();
    let link = |role: &str| links.iter().find(|(r, _)| r == role).unwrap_or_else(|| panic!("no link for {role}")).1.clone();
    assert_eq!(links.len(), 9, "{links:?}");

    let mut cmd = casus();
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"]).arg(&data);
    let server = listening(cmd);
    assert!(server.url.starts_with(&url), "{} is not {url}", server.url);

    let driver = chromedriver();

    // Control, and one session per delegation.
    let control = session(&driver, "control").await;
    control.goto(&link("white_cell")).await.unwrap();
    until(&control, "the join page", EXISTS, vec![json!("#x-join")], Duration::from_secs(10)).await;
    widths(&control, "join").await;
    join(&control, &link("white_cell"), "#x-msel").await;
    let parties = ["ALD", "BRV", "CSL", "DRN", "ESK", "FRL"];
    let mut d = Vec::new();
    for p in parties {
        let c = session(&driver, p).await;
        join(&c, &link(p), "#x-newact").await;
        d.push((p, c));
    }
    let del = |p: &str| &d.iter().find(|(q, _)| *q == p).unwrap().1;
    step("seven sessions joined");

    // Turn 1: the attack; Borvania asks for assistance under Article 3.
    click(&control, "tr[data-inject=I1] button").await;
    until(&control, "I1 released", "return !document.querySelector('tr[data-inject=I1] button');", vec![], Duration::from_secs(10)).await;
    let request = json!({ "kind": "request", "subject": "assistance", "under": "art3", "to": "LC" });
    act_and_wait(del("BRV"), "BRV", "#x-newact", request, "[data-duty^='x_brv_request']").await;
    step("turn 1");

    // Turn 2: the drafts reach every delegation by server-sent events.
    click(&control, "tr[data-inject=I2] button").await;
    let mut slowest = Duration::ZERO;
    for (p, c) in &d {
        let took =
            until(c, &format!("{p} sees the declaration"), EXISTS, vec![json!("[data-document=lakes_declaration] button")], Duration::from_secs(10)).await;
        slowest = slowest.max(took);
    }
    assert!(slowest < LIVE_WITHIN, "the draft reached the slowest page in {slowest:?}");
    step(&format!("turn 2: the draft on six pages, the slowest after {} ms", slowest.as_millis()));
    click(&control, "tr[data-inject=I3] button").await;
    for (p, c) in &d {
        until(c, &format!("{p} sees the assistance draft"), EXISTS, vec![json!("[data-document=assistance_to_borvania] button")], Duration::from_secs(10))
            .await;
    }
    widths(del("CSL"), "delegation-asked").await;

    // The others sign both drafts; then Castelia signs the assistance
    // decision and refuses the declaration with a reason and a condition.
    for (p, c) in &d {
        for doc in ["assistance_to_borvania", "lakes_declaration"] {
            if *p == "CSL" && doc == "lakes_declaration" {
                continue;
            }
            let sign = format!("[data-document={doc}] button");
            // The first button of a pending item is Sign.
            until(c, &format!("{p} can sign {doc}"), EXISTS, vec![json!(sign)], Duration::from_secs(10)).await;
            click(c, &sign).await;
            until(c, &format!("{p} signed {doc}"), EXISTS, vec![json!(format!("[data-document={doc}] .v-signed"))], Duration::from_secs(10)).await;
        }
    }
    let refuse = r#"const item = document.querySelector('[data-document=lakes_declaration]');
item.querySelector('button.danger').click();
const f = item.querySelector('form.refuse');
f.elements.reason.value = arguments[0]; f.elements.condition.value = arguments[1];
f.requestSubmit(); return true;"#;
    js(del("CSL"), refuse, vec![json!("The draft names no aggressor"), json!("Name Xenara as the aggressor")]).await;
    until(del("CSL"), "CSL's refusal shown", EXISTS, vec![json!("[data-document=lakes_declaration] .v-refused")], Duration::from_secs(10)).await;
    until(del("ALD"), "the block shown to ALD", EXISTS, vec![json!("[data-document=lakes_declaration] .v-blocked")], Duration::from_secs(10)).await;
    step("positions taken");

    // Aldoria and Durnia give assistance; Eskaria and Fernlund do not.
    for p in ["ALD", "DRN"] {
        let c = del(p);
        click(c, &format!("[data-duty$='/assist_victim/{p}'] button")).await;
        until(c, &format!("{p}'s assistance"), "return document.querySelector('#x-main').textContent.includes('fulfilled');", vec![], Duration::from_secs(10))
            .await;
    }
    widths(del("ALD"), "delegation-after").await;

    // Turn 3, then the clock past the deadlines.
    click(&control, "tr[data-inject=I4] button").await;
    until(&control, "I4 released", "return !document.querySelector('tr[data-inject=I4] button');", vec![], Duration::from_secs(10)).await;
    js(&control, "document.getElementById('x-adv-in').value = '2031-03-06T00:00:00Z'; return true;", vec![]).await;
    click(&control, "#x-clockctl label:last-child button").await;
    until(&control, "the clock advanced", "return document.getElementById('x-clock').textContent.includes('6 March 2031');", vec![], Duration::from_secs(10))
        .await;
    widths(&control, "control").await;
    step("turn 3, clock advanced");

    // An evaluator's observation, from control's browser (its own key and link).
    join(&control, &link("eval_1"), "#x-observe").await;
    assert_eq!(js(&control, SUBMIT, vec![json!("#x-observe"), json!({ "text": "Castelia refused within minutes of the draft." })]).await, json!(true));
    let recorded = "return document.getElementById('x-alerts').textContent.includes('Observation recorded');";
    until(&control, "the observation recorded", recorded, vec![], Duration::from_secs(10)).await;
    widths(&control, "evaluator").await;
    control.goto(&link("press")).await.unwrap();
    until(&control, "the observer's join page", EXISTS, vec![json!("#x-join")], Duration::from_secs(10)).await;
    join(&control, &link("press"), "#x-report").await;
    widths(&control, "observer").await;

    // The after-action report.
    let token = link("white_cell").rsplit('/').next().unwrap().to_string();
    control.goto(&format!("{url}/exercise/report/{token}")).await.unwrap();
    let text = js(&control, "return document.body.innerText;", vec![]).await.as_str().unwrap_or("").to_string();
    assert!(text.contains("blocked by Castelia (fictional)"), "{text}");
    assert!(text.contains("The draft names no aggressor") && text.contains("Name Xenara as the aggressor"), "{text}");
    assert!(text.contains("Castelia refused within minutes"), "{text}");
    let verdicts = js(
        &control,
        r#"return [...document.querySelectorAll('tr')].map(r => [...r.cells].map(c => c.innerText.trim()))
             .filter(c => c.length === 7 && c[0].endsWith('(the default readings)') && c[2].startsWith('Assistance')).map(c => c[3] + ':' + c[4]);"#,
        vec![],
    )
    .await;
    let verdicts: Vec<String> = serde_json::from_value(verdicts).unwrap();
    for want in [
        "Aldoria (fictional):fulfilled",
        "Durnia (fictional):fulfilled",
        "Eskaria (fictional):breached",
        "Fernlund (fictional):breached",
        "Castelia (fictional):breached",
    ] {
        assert!(verdicts.iter().any(|v| v == want), "{want} in {verdicts:?}");
    }
    widths(&control, "report").await;
    step("report");
    for (_, c) in d {
        c.close().await.unwrap();
    }
    control.close().await.unwrap();
}

fn run(args: &[&str]) -> std::process::Output {
    casus().args(args).output().expect("casus runs")
}

#[test]
fn the_exercise_commands() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let scenario = root.join("exercises/exercise-lakes.md");
    let sc = scenario.to_str().unwrap();
    // `casus check` on every shipped scenario; a broken one exits 1 with its code.
    for f in ["exercises/exercise-lakes.md", "exercises/exercise-lakes-consultations.md", "exercises/csto-autumn-2022.md"] {
        let out = run(&["check", root.join(f).to_str().unwrap()]);
        assert!(out.status.success(), "{f}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let tmp = scratch("exercise-commands");
    let broken = tmp.join("broken.md");
    std::fs::write(&broken, "```exercise\nexercise \"B\"\n  treaty \"missing.md\"\n  start 2031-01-01\ncontrol c\nevaluator e\n```\n").unwrap();
    let out = run(&["check", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[E0123]"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["exercise", "new", broken.to_str().unwrap(), "--data-dir", tmp.join("b").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "a broken scenario creates nothing");
    assert!(!tmp.join("b/exercise.json").exists());

    // new: one link per role; a second `new` into the same directory is refused.
    let dir = tmp.join("x");
    let out = run(&["exercise", "new", sc, "--data-dir", dir.to_str().unwrap(), "--url", "http://h:1"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let links = String::from_utf8(out.stdout).unwrap();
    assert_eq!(links.lines().filter(|l| l.contains("http://h:1/exercise/join/")).count(), 9, "{links}");
    let again = run(&["exercise", "new", sc, "--data-dir", dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("holds an exercise already"));

    // The MSEL out as CSV and back in, changed (I4 dropped); a bad CSV is refused.
    let out = run(&["exercise", "msel", "export", "--data-dir", dir.to_str().unwrap()]);
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("id,turn,scenario_time,after,title,act\r\n") && csv.contains("I4,3,"), "{csv}");
    let from_file = run(&["exercise", "msel", "export", sc]);
    assert_eq!(String::from_utf8(from_file.stdout).unwrap(), csv, "the scenario's MSEL and the new exercise's are the same");
    let cut: String = csv.split_inclusive("\r\nI4,").next().unwrap().trim_end_matches("I4,").to_string();
    let cut_path = tmp.join("msel.csv");
    std::fs::write(&cut_path, &cut).unwrap();
    let out = run(&["exercise", "msel", "import", cut_path.to_str().unwrap(), "--data-dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["exercise", "msel", "export", "--data-dir", dir.to_str().unwrap()]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), cut);
    std::fs::write(&cut_path, "id,turn\r\n").unwrap();
    let out = run(&["exercise", "msel", "import", cut_path.to_str().unwrap(), "--data-dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("header"));

    // clone: the same scenario and MSEL, a new ledger and new links.
    let copy = tmp.join("copy");
    let out = run(&["exercise", "clone", "--from", dir.to_str().unwrap(), "--data-dir", copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let new_links = String::from_utf8(out.stdout).unwrap();
    assert_eq!(new_links.lines().filter(|l| l.contains("/exercise/join/")).count(), 9);
    assert!(new_links.lines().filter(|l| l.contains("/exercise/join/")).all(|l| !links.contains(l.split('/').next_back().unwrap())), "new tokens");
    let out = run(&["exercise", "msel", "export", "--data-dir", copy.to_str().unwrap()]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), cut);
    std::fs::remove_dir_all(&tmp).unwrap();
}
