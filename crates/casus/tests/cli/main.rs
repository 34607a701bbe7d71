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
