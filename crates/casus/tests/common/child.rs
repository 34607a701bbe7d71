//! A server the tests start as a child process (`casus serve`, `casus
//! witness serve`, chromedriver), shared by every test binary of this
//! crate: the command-line tests include it by path, the browser tests
//! through `common/mod.rs`. Written once so that every child is killed
//! when its test ends, passing or failing, and every address is read the
//! same way.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A child process, killed (SIGKILL) and reaped when dropped, so a failing
/// test leaves nothing running; `url` is the address it listens at.
pub struct Running {
    child: Child,
    pub url: String,
}

impl Running {
    /// A child that prints no address (the caller knows where it listens).
    pub fn new(child: Child, url: String) -> Running {
        Running { child, url }
    }

    /// Kills it now (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts a server that prints its address (`http://HOST:PORT`) on the
/// first line of its standard output, and returns it with that address
/// (without a trailing `/`). Fails the test, killing the child, when the
/// line holds no address.
pub fn listening(mut cmd: Command) -> Running {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap_or_else(|e| panic!("{cmd:?} does not start: {e}"));
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).map(|u| u.trim_end_matches('/').to_string());
    let mut running = Running { child, url: url.unwrap_or_default() };
    if running.url.is_empty() {
        running.kill();
        panic!("{cmd:?} printed {line:?}, not its address");
    }
    running
}
