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

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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
