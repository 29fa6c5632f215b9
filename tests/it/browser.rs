//! `chainfix serve` in a real browser: Debian's chromium, headless, driven
//! through chromedriver's WebDriver HTTP API (raw JSON over 127.0.0.1, no
//! client crate). The bundled example is chosen in the page's file input,
//! the page must show the findings and the SVG, and the fullcert.pem behind
//! its download button must pass `openssl verify` and `curl -E`. A lone
//! leaf must have the missing issuer named in the page. With
//! CHAINFIX_SCREENSHOT=1 the page is saved to docs/serve.png.
//! Skipped (with a note) where chromedriver is not installed; .ci/run
//! installs chromium and chromium-driver.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

use crate::serve::{example_fullcert_works, serve};
use crate::util::{self, Guard, write};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    port: u16,
    session: String,
}

fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut t = TcpStream::connect(("127.0.0.1", port)).unwrap();
    t.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        t,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read the head, then exactly Content-Length bytes: chromedriver may
    // keep the connection open.
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    let (head_len, body_len) = loop {
        let n = t.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "chromedriver closed: {}",
            String::from_utf8_lossy(&out)
        );
        out.extend_from_slice(&buf[..n]);
        if let Some(p) = out.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&out[..p]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .expect("chromedriver sends Content-Length");
            break (p + 4, len);
        }
    };
    while out.len() < head_len + body_len {
        let n = t.read(&mut buf).unwrap();
        assert!(n > 0, "short body");
        out.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&out);
    let json = String::from_utf8_lossy(&out[head_len..head_len + body_len]).into_owned();
    let start = json.find('{').unwrap_or(0);
    let end = json.rfind('}').map_or(json.len(), |e| e + 1);
    serde_json::from_str(&json[start..end]).unwrap_or_else(|e| panic!("{e}: {text}"))
}

impl Driver {
    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let v = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            (!body.is_null()).then_some(&body),
        );
        assert!(v["value"].get("error").is_none(), "webdriver {path}: {v}");
        v["value"].clone()
    }
    fn script(&self, js: &str) -> Value {
        self.cmd("POST", "/execute/sync", json!({"script": js, "args": []}))
    }
    fn find(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        v[ELEMENT].as_str().unwrap().to_string()
    }
    fn wait_for(&self, js: &str, limit: Duration) -> Value {
        let start = Instant::now();
        loop {
            let v = self.script(js);
            if !v.is_null() && v != Value::Bool(false) {
                return v;
            }
            assert!(start.elapsed() < limit, "timed out waiting for {js}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    /// Opens the page, chooses `files`, presses the button, waits for the result.
    fn check(&self, url: &str, files: &[&Path]) {
        self.cmd("POST", "/url", json!({"url": url}));
        let input = self.find("#files");
        let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        self.cmd(
            "POST",
            &format!("/element/{input}/value"),
            json!({"text": paths.join("\n")}),
        );
        let button = self.find("#check");
        self.cmd("POST", &format!("/element/{button}/click"), json!({}));
        self.wait_for(
            "const r = document.getElementById('result'); return !r.hidden && document.getElementById('findings').children.length > 0;",
            Duration::from_secs(60),
        );
    }
}

#[test]
fn browser_uploads_the_example_and_downloads_a_working_fullcert() {
    let have = |c: &str| {
        Command::new(c)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    if !have("chromedriver") || !have("chromium") {
        eprintln!(
            "browser test skipped: chromium and chromium-driver are not installed (.ci/run installs them)"
        );
        return;
    }
    let d = util::tempdir();
    let profile = util::tempdir();
    let downloads = util::tempdir();
    let s = serve(&[]);
    let port = util::free_port();
    let _driver = Guard(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    util::wait_for_port(port, Duration::from_secs(20));
    let caps = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "prefs": {"download.default_directory": downloads.path().display().to_string(),
                      "download.prompt_for_download": false},
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     "--window-size=1000,1700",
                     format!("--user-data-dir={}", profile.path().display())]
        }
    }}});
    let v = http(port, "POST", "/session", Some(&caps));
    let session = v["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {v}"))
        .to_string();
    let drv = Driver { port, session };
    let url = format!("http://{}/?t={}", s.host, s.token);
    let ex = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/examples");
    let sc = ex.join("salesforce-client");

    drv.check(
        &url,
        &[
            &sc.join("client.crt"),
            &sc.join("client.key"),
            &sc.join("ca-bundle.txt"),
        ],
    );
    let text = drv.script("return document.getElementById('result').innerText;");
    let text = text.as_str().unwrap();
    assert!(text.contains("Salesforce refuses"), "{text}");
    assert!(text.contains("Fix:"), "{text}");
    let nodes = drv.script("return document.querySelectorAll('#picture svg g.node').length;");
    assert_eq!(nodes, json!(4), "the SVG in the page");
    // The "Download fullcert.pem" button, pressed: the file lands in the
    // browser's download directory.
    let link = drv.find("#dl-fullcert-pem");
    drv.cmd("POST", &format!("/element/{link}/click"), json!({}));
    let got = downloads.path().join("fullcert.pem");
    let start = Instant::now();
    while !got.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no fullcert.pem downloaded"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(300));
    let full = write(d.path(), "fullcert.pem", std::fs::read(&got).unwrap());
    if std::env::var_os("CHAINFIX_SCREENSHOT").is_some() {
        let png = drv.cmd("GET", "/screenshot", Value::Null);
        let png = B64.decode(png.as_str().unwrap()).unwrap();
        std::fs::write(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/serve.png"),
            png,
        )
        .unwrap();
    }
    example_fullcert_works(d.path(), &full);

    // A lone leaf: the page names the issuer that is missing.
    drv.check(&url, &[&sc.join("client.crt")]);
    let text = drv.script("return document.getElementById('findings').innerText;");
    assert!(
        text.as_str().unwrap().contains("Example Issuing CA 2"),
        "{text}"
    );
    http(port, "DELETE", &format!("/session/{}", drv.session), None);
}
