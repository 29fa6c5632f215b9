//! `--graph`: the picture of one path build. The SVG and DOT are read back
//! as text for their node ids and edge pairs (a cross-sign included), the
//! bundled example is compared with a golden file, and Graphviz's own `dot`
//! must accept the DOT when it is installed.

use std::path::Path;

use chainfix::model::{Cert, Origin};

use crate::pki::{Alg, Node, Spec, root};
use crate::util::{chainfix, stdout, tempdir, write};

trait Der {
    fn der_bytes(&self) -> Vec<u8>;
}
impl Der for Node {
    fn der_bytes(&self) -> Vec<u8> {
        self.der()
    }
}
impl Der for rcgen::Certificate {
    fn der_bytes(&self) -> Vec<u8> {
        self.der().to_vec()
    }
}

fn id(n: &dyn Der) -> String {
    let c = Cert::from_der(n.der_bytes(), Origin::file("t")).unwrap();
    format!("c{}", &c.id().hex()[..16])
}

/// Node ids (`<g class="node …" id="…">`) and edges (`data-from`, `data-to`,
/// and the class) read back from an SVG.
fn svg_parts(svg: &str) -> (Vec<String>, Vec<(String, String, String)>) {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[start..].split('"').next()?.to_string())
    };
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for tag in svg.split('<').filter(|t| t.starts_with("g ")) {
        let class = attr(tag, "class").unwrap_or_default();
        if class.starts_with("node") {
            nodes.push(attr(tag, "id").unwrap());
        } else if class.starts_with("edge") {
            edges.push((
                attr(tag, "data-from").unwrap(),
                attr(tag, "data-to").unwrap(),
                class,
            ));
        }
    }
    (nodes, edges)
}

/// Old Root cross-signs New Root; New Root issues Issuing, which issues
/// the leaf. The cross-sign's validity ends at `cross_end`.
struct Cross {
    old: Node,
    new: Node,
    cross: rcgen::Certificate,
    issuing: Node,
    leaf: Node,
}

fn cross_pki(cross_end: i32) -> Cross {
    let old = root(&Spec::ca("Old Root", Alg::EcdsaP256));
    let new = root(&Spec::ca("New Root", Alg::EcdsaP256));
    let mut cp = Spec::ca("New Root", Alg::EcdsaP256).params();
    cp.not_before = rcgen::date_time_ymd(2016, 1, 1);
    cp.not_after = rcgen::date_time_ymd(cross_end, 9, 30);
    let cross = cp.signed_by(&new.key, &old.issuer()).unwrap();
    let issuing = new.issue(Spec::ca("Issuing", Alg::EcdsaP256).params(), Alg::EcdsaP256);
    let leaf = issuing.issue(
        Spec::client("leaf", Alg::EcdsaP256).params(),
        Alg::EcdsaP256,
    );
    Cross {
        old,
        new,
        cross,
        issuing,
        leaf,
    }
}

/// The cross-signed chain in chain.pem, the old root alone in old.pem.
fn cross_files(cross_end: i32) -> (tempfile::TempDir, Cross) {
    let d = tempdir();
    let p = cross_pki(cross_end);
    write(
        d.path(),
        "chain.pem",
        format!("{}{}{}", p.leaf.pem(), p.issuing.pem(), p.cross.pem()),
    );
    write(d.path(), "old.pem", p.old.pem());
    (d, p)
}

fn graph(dir: &Path, format: &str) -> String {
    let o = chainfix(
        dir,
        &[
            "verify",
            "chain.pem",
            "--trust",
            "old.pem",
            "--at",
            "2026-06-01",
            "--graph",
            format,
        ],
    );
    assert!(o.status.code().is_some_and(|c| c <= 1), "{o:?}");
    stdout(&o)
}

#[test]
fn svg_shows_the_cross_signed_path() {
    let (d, p) = cross_files(2036);
    let svg = graph(d.path(), "svg");
    let (nodes, edges) = svg_parts(&svg);
    for n in [&p.leaf as &dyn Der, &p.issuing, &p.cross, &p.old] {
        assert!(nodes.contains(&id(n)), "{} missing in {svg}", id(n));
    }
    assert!(!nodes.contains(&id(&p.new)), "{svg}");
    let pairs: [(&dyn Der, &dyn Der); 3] = [
        (&p.leaf, &p.issuing),
        (&p.issuing, &p.cross),
        (&p.cross, &p.old),
    ];
    for (a, b) in pairs {
        assert!(
            edges
                .iter()
                .any(|(f, t, c)| *f == id(a) && *t == id(b) && c == "edge chosen"),
            "no chosen edge {} -> {} in {svg}",
            id(a),
            id(b)
        );
    }
    assert!(svg.contains("trust store: old.pem"), "{svg}");
}

#[test]
fn refused_cross_sign_is_a_dashed_edge_with_its_reason() {
    let (d, p) = cross_files(2021);
    let svg = graph(d.path(), "svg");
    let (nodes, edges) = svg_parts(&svg);
    assert!(nodes.contains(&id(&p.cross)), "{svg}");
    assert!(
        edges
            .iter()
            .any(|(f, t, c)| *f == id(&p.issuing) && *t == id(&p.cross) && c == "edge refused"),
        "{svg}"
    );
    assert!(svg.contains("stroke-dasharray"), "{svg}");
    assert!(svg.contains("refused: "), "{svg}");
    assert!(svg.contains("EXPIRED"), "{svg}");
    assert!(!edges.iter().any(|(_, _, c)| c == "edge chosen"), "{svg}");

    let dot = graph(d.path(), "dot");
    assert!(
        dot.contains(&format!(
            "{} -> {} [style=dashed",
            id(&p.issuing),
            id(&p.cross)
        )),
        "{dot}"
    );
    assert!(
        dot.contains(&format!("{} -> {}", id(&p.leaf), id(&p.issuing))),
        "{dot}"
    );
    let mermaid = graph(d.path(), "mermaid");
    assert!(mermaid.starts_with("flowchart TB"), "{mermaid}");
    assert!(
        mermaid.contains(&format!("{} -. \"refused:", id(&p.issuing))),
        "{mermaid}"
    );
    // Graphviz itself reads the DOT, when it is installed (.ci/run installs it).
    if let Ok(o) = std::process::Command::new("dot")
        .arg("-Tsvg")
        .arg(write(d.path(), "g.dot", &dot))
        .output()
    {
        assert!(
            o.status.success(),
            "dot refused the DOT: {}\n{dot}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(String::from_utf8_lossy(&o.stdout).contains("<svg"));
    }
}

/// The bundled example at a pinned time: byte for byte the golden file
/// (also the README's picture, docs/chain.svg). Regenerate with
/// `CHAINFIX_BLESS=1 cargo test --test it graph::golden`.
#[test]
fn golden_example_svg() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/examples");
    let o = chainfix(
        &examples,
        &[
            "verify",
            "salesforce-client/",
            "--trust",
            "root-ca.pem",
            "--at",
            "2026-11-30",
            "--graph",
            "svg",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/example-chain.svg");
    if std::env::var_os("CHAINFIX_BLESS").is_some() {
        std::fs::write(&golden, &o.stdout).unwrap();
    }
    assert_eq!(
        stdout(&o),
        std::fs::read_to_string(&golden).unwrap(),
        "the picture changed; bless it if intended"
    );
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/chain.svg");
    assert_eq!(
        std::fs::read(&golden).unwrap(),
        std::fs::read(docs).unwrap(),
        "docs/chain.svg must be the golden picture"
    );
}
