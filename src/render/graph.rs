//! [`Graph`] → SVG (drawn here: a layered layout, leaf on top, roots at
//! the bottom; no Graphviz needed), DOT and Mermaid (for docs and tickets).
//! Node ids are stable (`c` + 16 hex digits of the SHA-256), so tests and
//! scripts can find a certificate in any of the three.

use crate::graph::{Edge, Graph, Kind, Node, Source};

/// The three output formats of `--graph`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Svg,
    Dot,
    Mermaid,
}

pub fn render(g: &Graph, f: Format) -> String {
    match f {
        Format::Svg => svg(g),
        Format::Dot => dot(g),
        Format::Mermaid => mermaid(g),
    }
}

/// The common name, or the whole subject when it has none.
fn short_name(subject: &str) -> String {
    let cn = subject
        .split(", ")
        .find_map(|p| p.strip_prefix("CN="))
        .unwrap_or(subject);
    truncate(cn, 34)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

fn kind_word(k: Kind) -> &'static str {
    match k {
        Kind::Leaf => "leaf",
        Kind::Intermediate => "intermediate",
        Kind::Root => "root",
    }
}

fn source_word(n: &Node) -> String {
    match n.source {
        Source::Given => format!("given: {}", n.origin),
        Source::Fetched => format!("fetched (AIA): {}", n.origin),
        Source::TrustStore => format!("trust store: {}", n.origin),
    }
}

fn marks(n: &Node) -> Vec<String> {
    let mut m = Vec::new();
    if n.expired {
        m.push("EXPIRED".to_string());
    }
    if let Some(w) = &n.weak {
        m.push(format!("WEAK: {w}"));
    }
    m
}

fn date(t: i64) -> String {
    ::time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| d.date().to_string())
        .unwrap_or_else(|_| t.to_string())
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const W: i64 = 300;
const H: i64 = 78;
const GAP_X: i64 = 50;
const GAP_Y: i64 = 90;
const MARGIN: i64 = 20;
const TITLE: i64 = 44;

/// Positions: (x, y) of each node's top-left corner.
fn layout(g: &Graph) -> (Vec<(i64, i64)>, i64, i64) {
    let layers = g.layers();
    let depth = layers.iter().copied().max().unwrap_or(0) + 1;
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (i, l) in layers.iter().enumerate() {
        rows[*l].push(i);
    }
    let widest = rows.iter().map(Vec::len).max().unwrap_or(1).max(1) as i64;
    let width = (widest * (W + GAP_X) - GAP_X + 2 * MARGIN).max(560);
    let mut pos = vec![(0, 0); g.nodes.len()];
    for (l, row) in rows.iter().enumerate() {
        let n = row.len() as i64;
        let row_w = n * (W + GAP_X) - GAP_X;
        let x0 = (width - row_w) / 2;
        for (k, &i) in row.iter().enumerate() {
            pos[i] = (
                x0 + k as i64 * (W + GAP_X),
                TITLE + MARGIN + l as i64 * (H + GAP_Y),
            );
        }
    }
    let height = TITLE + 2 * MARGIN + depth as i64 * (H + GAP_Y) - GAP_Y + 24;
    (pos, width, height)
}

/// A self-contained SVG: no scripts, no external fonts or styles.
pub fn svg(g: &Graph) -> String {
    let (pos, width, height) = layout(g);
    let at = |id: &str| g.nodes.iter().position(|n| n.id == id);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"title\" font-family=\"sans-serif\" font-size=\"12\">\n"
    );
    let title = format!(
        "Certificate chain for {}, trust store {}: {}",
        g.peer,
        g.store,
        if g.valid {
            "valid path found"
        } else {
            "no valid path"
        }
    );
    s.push_str(&format!("<title id=\"title\">{}</title>\n", xml(&title)));
    s.push_str(concat!(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"12\" markerHeight=\"12\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#444\"/></marker>",
        "<marker id=\"arrow-chosen\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"14\" markerHeight=\"14\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#1565c0\"/></marker>",
        "<marker id=\"arrow-bad\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"12\" markerHeight=\"12\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#b00020\"/></marker></defs>\n",
        "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
    ));
    s.push_str(&format!(
        "<text x=\"{MARGIN}\" y=\"24\" font-size=\"15\" font-weight=\"bold\" fill=\"#111\">{}</text>\n",
        xml(&format!("Peer: {} · trust store: {}", g.peer, g.store))
    ));
    s.push_str(&format!(
        "<text x=\"{MARGIN}\" y=\"40\" fill=\"{}\">{}</text>\n",
        if g.valid { "#1b5e20" } else { "#b00020" },
        if g.valid {
            "valid: the highlighted path is the one the peer builds (arrows: signed by)"
        } else {
            "NOT valid: no path reaches the trust store (arrows: signed by; dashed: refused)"
        }
    ));
    for e in &g.edges {
        let (Some(f), Some(t)) = (at(&e.from), at(&e.to)) else {
            continue;
        };
        s.push_str(&svg_edge(e, pos[f], pos[t]));
    }
    for (i, n) in g.nodes.iter().enumerate() {
        s.push_str(&svg_node(n, pos[i]));
    }
    s.push_str("</svg>\n");
    s
}

fn svg_edge(e: &Edge, (fx, fy): (i64, i64), (tx, ty): (i64, i64)) -> String {
    let (x1, y1) = (fx + W / 2, fy + H);
    let (x2, y2) = if ty > fy {
        (tx + W / 2, ty)
    } else {
        // Same or higher layer: enter from the side.
        (if tx > fx { tx } else { tx + W }, ty + H / 2)
    };
    let (stroke, width, dash, marker) = match (e.verified, e.chosen) {
        (true, true) => ("#1565c0", 3, "", "arrow-chosen"),
        (true, false) => ("#444", 1, "", "arrow"),
        (false, _) => ("#b00020", 1, " stroke-dasharray=\"6 4\"", "arrow-bad"),
    };
    let class = match (e.verified, e.chosen) {
        (true, true) => "edge chosen",
        (true, false) => "edge",
        (false, _) => "edge refused",
    };
    let mut s = format!(
        "<g class=\"{class}\" data-from=\"{}\" data-to=\"{}\"><line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"{stroke}\" stroke-width=\"{width}\"{dash} marker-end=\"url(#{marker})\"/>",
        e.from, e.to
    );
    if let Some(r) = &e.reason {
        let (mx, my) = ((x1 + x2) / 2 + 6, (y1 + y2) / 2);
        s.push_str(&format!(
            "<text x=\"{mx}\" y=\"{my}\" fill=\"#b00020\" font-size=\"11\">refused: {}</text><title>{}</title>",
            xml(&truncate(r, 48)),
            xml(r)
        ));
    }
    s.push_str("</g>\n");
    s
}

fn svg_node(n: &Node, (x, y): (i64, i64)) -> String {
    let bad = n.expired || n.weak.is_some();
    let fill = match n.source {
        Source::TrustStore => "#e8f5e9",
        Source::Fetched => "#fff8e1",
        Source::Given => "#e3f2fd",
    };
    let stroke = if bad {
        "#b00020"
    } else if n.chosen {
        "#1565c0"
    } else {
        "#777"
    };
    let sw = if n.chosen { 3 } else { 1 };
    let mut s = format!(
        "<g class=\"node {} {}{}\" id=\"{}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{W}\" height=\"{H}\" rx=\"8\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{sw}\"/>",
        kind_word(n.kind),
        match n.source {
            Source::Given => "given",
            Source::Fetched => "fetched",
            Source::TrustStore => "trust-store",
        },
        if n.chosen { " chosen" } else { "" },
        n.id,
        xml(&format!("{} (SHA-256 {})", n.subject, n.sha256)),
    );
    let tx = x + 10;
    s.push_str(&format!(
        "<text x=\"{tx}\" y=\"{}\" font-size=\"10\" fill=\"#555\">{}</text>",
        y + 15,
        xml(&kind_word(n.kind).to_uppercase())
    ));
    s.push_str(&format!(
        "<text x=\"{tx}\" y=\"{}\" font-size=\"13\" font-weight=\"bold\" fill=\"#111\">{}</text>",
        y + 33,
        xml(&short_name(&n.subject))
    ));
    s.push_str(&format!(
        "<text x=\"{tx}\" y=\"{}\" fill=\"#333\">{}</text>",
        y + 50,
        xml(&truncate(&source_word(n), 44))
    ));
    let m = marks(n);
    let line = if m.is_empty() {
        format!("expires {}", date(n.not_after))
    } else {
        m.join(" · ")
    };
    s.push_str(&format!(
        "<text x=\"{tx}\" y=\"{}\" fill=\"{}\"{}>{}</text>",
        y + 67,
        if m.is_empty() { "#333" } else { "#b00020" },
        if m.is_empty() {
            ""
        } else {
            " font-weight=\"bold\""
        },
        xml(&truncate(&line, 44))
    ));
    s.push_str("</g>\n");
    s
}

fn dot_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Graphviz DOT (`dot -Tsvg` draws it).
pub fn dot(g: &Graph) -> String {
    let mut s = String::from(
        "digraph chain {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fontname=\"sans-serif\"];\n",
    );
    s.push_str(&format!(
        "  label={};\n  labelloc=t;\n",
        dot_str(&format!("Peer: {} · trust store: {}", g.peer, g.store))
    ));
    for n in &g.nodes {
        let mut label = format!(
            "{}\\n{}\\n{}",
            kind_word(n.kind),
            short_name(&n.subject),
            source_word(n)
        );
        for m in marks(n) {
            label.push_str(&format!("\\n{m}"));
        }
        let fill = match n.source {
            Source::TrustStore => "#e8f5e9",
            Source::Fetched => "#fff8e1",
            Source::Given => "#e3f2fd",
        };
        s.push_str(&format!(
            "  {} [label=\"{}\", fillcolor=\"{fill}\"{}];\n",
            n.id,
            label.replace('"', "\\\""),
            if n.chosen { ", penwidth=3" } else { "" }
        ));
    }
    for e in &g.edges {
        let attrs = match (&e.reason, e.chosen) {
            (Some(r), _) => format!(
                " [style=dashed, color=\"#b00020\", label={}]",
                dot_str(&format!("refused: {}", truncate(r, 60)))
            ),
            (None, true) => " [penwidth=3, color=\"#1565c0\"]".into(),
            (None, false) => String::new(),
        };
        s.push_str(&format!("  {} -> {}{attrs};\n", e.from, e.to));
    }
    s.push_str("}\n");
    s
}

fn mermaid_str(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// Mermaid flowchart (GitHub and GitLab render it in Markdown).
pub fn mermaid(g: &Graph) -> String {
    let mut s = format!(
        "flowchart TB\n  %% Peer: {} · trust store: {}\n",
        mermaid_str(&g.peer),
        mermaid_str(&g.store)
    );
    for n in &g.nodes {
        let mut label = format!(
            "{}<br/>{}<br/>{}",
            kind_word(n.kind),
            short_name(&n.subject),
            source_word(n)
        );
        for m in marks(n) {
            label.push_str(&format!("<br/>{m}"));
        }
        s.push_str(&format!("  {}[\"{}\"]\n", n.id, mermaid_str(&label)));
    }
    let mut chosen_links = Vec::new();
    for (i, e) in g.edges.iter().enumerate() {
        match &e.reason {
            Some(r) => s.push_str(&format!(
                "  {} -. \"refused: {}\" .-> {}\n",
                e.from,
                mermaid_str(&truncate(r, 60)),
                e.to
            )),
            None => s.push_str(&format!("  {} --> {}\n", e.from, e.to)),
        }
        if e.chosen {
            chosen_links.push(i.to_string());
        }
    }
    for n in g.nodes.iter().filter(|n| n.chosen) {
        s.push_str(&format!("  style {} stroke-width:3px\n", n.id));
    }
    if !chosen_links.is_empty() {
        s.push_str(&format!(
            "  linkStyle {} stroke-width:3px\n",
            chosen_links.join(",")
        ));
    }
    s
}
