//! Feature "testing": the test time-stamping authority (tests/tsa-server/),
//! started on loopback for a test and stopped when dropped (and on its own
//! when the test process ends, as its standard input closes); and a port that
//! refuses connections.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[derive(Debug)]
pub struct TestTsa {
    pub port: u16,
    /// Where the server keeps its CAs, certificates and configuration.
    pub folder: tempfile::TempDir,
    /// The CA its good tokens chain to.
    pub ca_file: PathBuf,
    process: Child,
    _stdin: ChildStdin,
}

impl TestTsa {
    /// Starts the server with its command-line `arguments` (e.g. `--login`).
    pub fn start(arguments: &[&str]) -> std::io::Result<Self> {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/tsa-server/server.py"
        );
        let folder = tempfile::tempdir()?;
        let mut process = Command::new("python3")
            .arg(script)
            .arg(folder.path())
            .args(arguments)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (process.stdin.take(), process.stdout.take()) else {
            return Err(std::io::Error::other("the test TSA's pipes are missing"));
        };
        let (ready, first_line) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = ready.send(lines.next());
            // Keep reading, so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let line = match first_line.recv_timeout(Duration::from_secs(30)) {
            Ok(Some(Ok(line))) => line,
            other => {
                let _ = process.kill();
                return Err(std::io::Error::other(format!(
                    "the test TSA did not start: {other:?}"
                )));
            }
        };
        // "ready <port> <CA file>"
        let mut words = line.splitn(3, ' ');
        let (Some("ready"), Some(port), Some(ca_file)) = (words.next(), words.next(), words.next())
        else {
            return Err(std::io::Error::other(format!("the test TSA said {line:?}")));
        };
        let port = port
            .parse()
            .map_err(|_| std::io::Error::other(format!("the test TSA said {line:?}")))?;
        Ok(Self {
            port,
            folder,
            ca_file: PathBuf::from(ca_file),
            process,
            _stdin: stdin,
        })
    }

    /// The authority's address for a mode: "" answers well, "/garbage",
    /// "/slow"… in the ways tests/tsa-server/server.py lists.
    pub fn url(&self, mode: &str) -> String {
        format!("http://127.0.0.1:{}/tsa{mode}", self.port)
    }

    pub fn ca_pem(&self) -> std::io::Result<String> {
        std::fs::read_to_string(&self.ca_file)
    }

    /// The CA the server's second authority chains to, which tests never trust.
    pub fn other_ca_file(&self) -> PathBuf {
        self.folder.path().join("other-ca.crt")
    }
}

impl Drop for TestTsa {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A loopback port that refuses connections for as long as this lives.
///
/// The socket is bound but never listens: a connection is refused, and no
/// other server (tests run in parallel) can be given the port meanwhile, as
/// it could be one taken from a listener and dropped.
#[derive(Debug)]
pub struct RefusingPort {
    pub address: SocketAddr,
    _socket: tokio::net::TcpSocket,
}

impl RefusingPort {
    pub fn bind() -> std::io::Result<Self> {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
        Ok(Self {
            address: socket.local_addr()?,
            _socket: socket,
        })
    }
}
