//! The command line's integration tests, one binary (as in ripgrep): the
//! CSTO record's outcomes through `casus replay --json`, explanations,
//! exit codes, and robustness on garbage input.

mod architecture;
mod check;
mod cmd_test;
mod cosign;
mod csto;
mod exits;
mod ledger;
mod mirror;
mod replicas;
mod report;
mod research;
mod treaties;
mod witness;

#[path = "../common/child.rs"]
pub mod child;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh temporary directory for one test (`casus-cli-GROUP-PID-NAME`),
/// removed when dropped.
pub struct Dir(pub PathBuf);

impl Dir {
    pub fn new(group: &str, name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("casus-cli-{group}-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        Dir(d)
    }

    /// A file in it, as a string argument.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().expect("utf-8 path").to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn casus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_casus")).args(args).current_dir(root()).output().expect("run casus")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
mod conditions;
mod duties_not_to_act;
mod organs;
mod provisions;

/// Runs casus, asserting its exit code; returns stdout and stderr.
pub fn run(args: &[&str], code: i32) -> (String, String) {
    let out = casus(args);
    assert_eq!(out.status.code(), Some(code), "casus {args:?}\nstdout: {}\nstderr: {}", stdout(&out), stderr(&out));
    (stdout(&out), stderr(&out))
}

/// Runs casus, asserting it succeeds; returns stdout.
pub fn ok(args: &[&str]) -> String {
    run(args, 0).0
}

/// A plain HTTP/1.1 GET on loopback: the body, whatever the status.
pub fn http_get(base: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let host = base.trim_start_matches("http://");
    let mut tcp = std::net::TcpStream::connect(host).expect("connect");
    write!(tcp, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").expect("request");
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).expect("answer");
    answer.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or(answer)
}

/// `casus replay --json` of a treaty and record on `at` under `readings`.
pub fn replay_json(treaty: &str, record: &str, at: &str, readings: &[&str]) -> Value {
    let mut args = vec!["replay", treaty, record, "--at", at, "--json"];
    for r in readings {
        args.push("-i");
        args.push(r);
    }
    let out = casus(&args);
    assert!(out.status.success(), "replay {treaty} {record} at {at} failed: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("replay --json prints JSON")
}

/// A case of a replayed state, by id.
pub fn case<'a>(state: &'a Value, id: &str) -> &'a Value {
    state["cases"].as_array().expect("cases[]").iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no case {id} in {state}"))
}

/// A document of a replayed state, by id.
pub fn document<'a>(state: &'a Value, id: &str) -> &'a Value {
    state["documents"].as_array().expect("documents[]").iter().find(|d| d["id"] == id).unwrap_or_else(|| panic!("no document {id}"))
}

/// A case's obligations as (debtor, status), sorted.
pub fn statuses(case: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = case["obligations"]
        .as_array()
        .expect("obligations[]")
        .iter()
        .map(|o| (o["debtor"].as_str().unwrap_or("").to_string(), o["status"].as_str().unwrap_or("").to_string()))
        .collect();
    v.sort();
    v
}

/// Asserts that the case's duties are owed by exactly `debtors`, each with `status`.
pub fn all_are(case: &Value, debtors: &[&str], status: &str) {
    let want: Vec<(String, String)> = debtors.iter().map(|d| (d.to_string(), status.to_string())).collect();
    assert_eq!(statuses(case), want, "case {}", case["id"]);
}
