//! Tables shared by the commands. On a terminal: comfy-table, no colour,
//! fitted to the terminal's width (long subjects and fixes wrap). Anywhere
//! else (a pipe, a file): a plain layout, one line per row with the cells
//! separated by tabs and the header first, so `grep` and `cut -f` work.

use std::fmt;

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

/// A table that draws itself for a terminal or plainly for a pipe.
pub struct Grid {
    table: Table,
    /// Not a terminal (comfy-table found no width): the plain layout.
    plain: bool,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// A table with the house style and the given header.
pub fn new(header: &[&str]) -> Grid {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    // A terminal that reports no size (a pty nobody sized: `script` with no
    // terminal above it, a serial console) says 0 columns; drawing to that
    // would put one letter per line. Take $COLUMNS, else 80.
    if t.width().is_some_and(|w| w < 20) {
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<u16>().ok())
            .filter(|&c| c >= 20)
            .unwrap_or(80);
        t.set_width(columns);
    }
    Grid {
        plain: t.width().is_none(),
        table: t,
        header: header.iter().map(|s| s.to_string()).collect(),
        rows: Vec::new(),
    }
}

impl Grid {
    pub fn add_row(&mut self, row: Vec<String>) -> &mut Grid {
        self.table.add_row(row.clone());
        self.rows.push(row);
        self
    }

    /// Caps the width on a terminal (the plain layout has none).
    pub fn set_width(&mut self, width: u16) -> &mut Grid {
        if self.table.width().is_none_or(|w| w > width) {
            self.table.set_width(width);
        }
        self
    }

    /// Forces the plain layout (tests, and callers that know better).
    pub fn plain(&mut self, plain: bool) -> &mut Grid {
        self.plain = plain;
        self
    }
}

/// One cell on one line: line breaks and tabs become spaces.
fn flat(cell: &str) -> String {
    cell.split(['\n', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Grid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.plain {
            return write!(f, "{}", self.table);
        }
        let line = |cells: &[String]| cells.iter().map(|c| flat(c)).collect::<Vec<_>>().join("\t");
        let mut lines = vec![line(&self.header)];
        lines.extend(self.rows.iter().map(|r| line(r)));
        f.write_str(&lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_layout_is_one_line_per_row_with_tabs() {
        let mut g = new(&["#", "subject"]);
        g.plain(true);
        g.add_row(vec!["1".into(), "CN=a,\nO=b".into()]);
        assert_eq!(g.to_string(), "#\tsubject\n1\tCN=a, O=b");
        g.plain(false);
        assert!(g.to_string().contains('│'));
    }
}
