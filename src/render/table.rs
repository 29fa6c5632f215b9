//! Tables shared by the commands. On a terminal: comfy-table, no colour,
//! fitted to the terminal's width (long subjects and fixes wrap). Anywhere
//! else (a pipe, a file): a plain layout, one line per row with the cells
//! separated by tabs and the header first, so `grep` and `cut -f` work.
//!
//! [`Grid`] holds every row and draws once; [`Stream`] draws rows as they
//! come (thousands of certificates): in a pipe each row is its line at
//! once, on a terminal the column widths come from the first [`BATCH`]
//! rows and later rows wrap within them.

use std::fmt;

use comfy_table::{
    ColumnConstraint, ContentArrangement, Table, Width, presets::UTF8_FULL_CONDENSED,
};

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

/// Appends one row of the plain layout and its line break: each cell on
/// one line (line breaks and tabs become spaces), the cells between tabs.
fn plain_line<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        let mut words = cell
            .as_ref()
            .split(['\n', '\t'])
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(w) = words.next() {
            out.push_str(w);
            for w in words {
                out.push(' ');
                out.push_str(w);
            }
        }
    }
    out.push('\n');
}

impl fmt::Display for Grid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.plain {
            return write!(f, "{}", self.table);
        }
        let mut text = String::new();
        plain_line(&mut text, &self.header);
        for r in &self.rows {
            plain_line(&mut text, r);
        }
        text.pop();
        f.write_str(&text)
    }
}

/// How many rows a terminal [`Stream`] measures before it fixes the column
/// widths and draws: enough to see the usual lengths, few enough that the
/// first rows show at once and the cost does not grow with the table.
pub const BATCH: usize = 100;

/// A table whose rows are drawn as they are pushed, for outputs of any
/// length. In a pipe its bytes are exactly [`Grid`]'s. On a terminal, a
/// table of up to [`BATCH`] rows is [`Grid`]'s too; a longer one takes the
/// widths comfy-table fits to the first [`BATCH`] rows (and to the
/// [`Stream::min_width`]s), gives any room left on the terminal to the
/// [`Stream::grow`] columns, and draws every row in those widths (a longer
/// cell further down wraps inside its column).
pub struct Stream {
    /// The first rows, measured together.
    first: Grid,
    /// Rows pushed so far.
    count: usize,
    /// Columns that take the room the first rows leave on the terminal.
    grow: Vec<usize>,
    /// Column widths (padding included) once the first batch is drawn.
    widths: Vec<u16>,
    /// Rows waiting to be drawn in those widths.
    pending: Vec<Vec<String>>,
    /// On a terminal narrower than this, each row is drawn as a record
    /// (one labelled line per cell) instead of a table; 0: never.
    records_below: u16,
}

/// A streaming table with the house style and the given header.
pub fn stream(header: &[&str]) -> Stream {
    Stream {
        first: new(header),
        count: 0,
        grow: Vec::new(),
        widths: Vec::new(),
        pending: Vec::new(),
        records_below: 0,
    }
}

/// Cell padding, one space either side (comfy-table's default).
const PADDING: u16 = 2;

impl Stream {
    /// Draws as on a terminal `width` columns wide (tests).
    pub fn terminal(&mut self, width: u16) -> &mut Stream {
        self.first.plain(false);
        self.first.table.set_width(width);
        self
    }

    /// Forces the plain layout (tests, and callers that know better).
    pub fn plain(&mut self, plain: bool) -> &mut Stream {
        self.first.plain(plain);
        self
    }

    /// On a terminal, keeps `column` at least `chars` wide when the content
    /// is: for cells whose widest value is known before the rows come (the
    /// row number of the last row).
    pub fn min_width(&mut self, column: usize, chars: usize) -> &mut Stream {
        let w = u16::try_from(chars)
            .unwrap_or(u16::MAX)
            .saturating_add(PADDING);
        if let Some(c) = self.first.table.column_mut(column) {
            c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(w)));
        }
        self
    }

    /// On a terminal, the columns (free text: names, URLs, files) that
    /// share the room the first rows leave, so longer cells further down
    /// wrap less.
    pub fn grow(&mut self, columns: &[usize]) -> &mut Stream {
        self.grow = columns.to_vec();
        self
    }

    /// On a terminal narrower than `columns`, draws each row as a record:
    /// its first cell as a title, then one line per non-empty cell under
    /// its header's name, wrapped to the terminal. A table of many columns
    /// squeezed into 80 wraps every cell a few letters a line ("Subj" over
    /// "ect") and cannot be read.
    pub fn records_below(&mut self, columns: u16) -> &mut Stream {
        self.records_below = columns;
        self
    }

    /// The terminal's width when rows are drawn as records.
    fn record_width(&self) -> Option<u16> {
        if self.first.plain {
            return None;
        }
        self.first.table.width().filter(|&w| w < self.records_below)
    }

    /// Adds a row, appending to `out` whatever can be drawn now.
    pub fn push<S: AsRef<str>>(&mut self, row: &[S], out: &mut String) {
        self.count += 1;
        if let Some(width) = self.record_width() {
            record(out, &self.first.header, row, usize::from(width));
            return;
        }
        if self.first.plain {
            if self.count == 1 {
                plain_line(out, &self.first.header);
            }
            plain_line(out, row);
            return;
        }
        let row: Vec<String> = row.iter().map(|c| c.as_ref().to_string()).collect();
        if self.count <= BATCH {
            self.first.add_row(row);
            return;
        }
        if self.widths.is_empty() {
            self.draw_first(out);
        }
        self.pending.push(row);
        if self.pending.len() == BATCH {
            self.draw_pending(out);
        }
    }

    /// Appends the rest of the table to `out`, ending with a line break.
    pub fn finish(mut self, out: &mut String) {
        if self.record_width().is_some() {
            return;
        }
        if self.first.plain {
            if self.count == 0 {
                plain_line(out, &self.first.header);
            }
        } else if self.widths.is_empty() {
            out.push_str(&self.first.table.to_string());
            out.push('\n');
        } else {
            self.draw_pending(out);
            out.push_str(&self.bottom());
            out.push('\n');
        }
    }

    /// Fixes the column widths: comfy-table's fit of the first batch to the
    /// terminal (read off its top border), widened by the room it leaves;
    /// then draws the header and the first batch in them.
    fn draw_first(&mut self, out: &mut String) {
        let text = self.first.table.to_string();
        let top = text.lines().next().unwrap_or_default();
        self.widths = top
            .trim_start_matches('┌')
            .trim_end_matches('┐')
            .split('┬')
            .map(|seg| u16::try_from(seg.chars().count()).unwrap_or(u16::MAX))
            .collect();
        let used = top.chars().count();
        let room = usize::from(self.first.table.width().unwrap_or(0)).saturating_sub(used);
        let grow: Vec<usize> = (self.grow.iter().copied())
            .filter(|&c| c < self.widths.len())
            .collect();
        for (i, &c) in grow.iter().enumerate() {
            let share = room / grow.len() + usize::from(i < room % grow.len());
            self.widths[c] = self.widths[c].saturating_add(u16::try_from(share).unwrap_or(0));
        }
        let rows = std::mem::take(&mut self.first.rows);
        let text = self.render(Some(&self.first.header), rows);
        // All but the bottom border.
        out.push_str(text.rsplit_once('\n').map_or("", |(body, _)| body));
        out.push('\n');
    }

    /// Draws the waiting rows in the fixed widths: their lines between the
    /// borders.
    fn draw_pending(&mut self, out: &mut String) {
        if self.pending.is_empty() {
            return;
        }
        let rows = std::mem::take(&mut self.pending);
        let text = self.render(None, rows);
        let mut lines = text.lines();
        lines.next();
        lines.next_back();
        for l in lines {
            out.push_str(l);
            out.push('\n');
        }
    }

    /// `rows` (under `header`) as comfy-table draws them in the fixed widths.
    fn render(&self, header: Option<&[String]>, rows: Vec<Vec<String>>) -> String {
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        if let Some(h) = header {
            t.set_header(h);
        }
        t.add_rows(rows);
        t.set_constraints(
            (self.widths.iter()).map(|&w| ColumnConstraint::Absolute(Width::Fixed(w))),
        );
        t.to_string()
    }

    /// The bottom border in the fixed widths (UTF8_FULL_CONDENSED's).
    fn bottom(&self) -> String {
        let segments: Vec<String> = (self.widths.iter())
            .map(|&w| "─".repeat(usize::from(w)))
            .collect();
        format!("└{}┘", segments.join("┴"))
    }
}

/// Appends `row` as a record `width` columns wide: a title line (the
/// header and value of the first cell, then a rule), and a line per
/// non-empty cell, its header's name padded to the longest, its value
/// wrapped at spaces (or anywhere, for a word longer than the room).
fn record<S: AsRef<str>>(out: &mut String, header: &[String], row: &[S], width: usize) {
    let title = match (header.first(), row.first()) {
        (Some(h), Some(v)) => format!("{h}{}", v.as_ref()),
        _ => String::new(),
    };
    let rule = width.saturating_sub(title.chars().count() + 1).max(3);
    out.push_str(&format!("{title} {}\n", "─".repeat(rule)));
    let label = header
        .iter()
        .skip(1)
        .map(|h| h.chars().count())
        .max()
        .unwrap_or(0);
    let indent = 2 + label + 2;
    let room = width.saturating_sub(indent).max(20);
    for (h, cell) in header.iter().zip(row).skip(1) {
        let mut first = true;
        for line in cell
            .as_ref()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            for piece in wrap(line, room) {
                if first {
                    out.push_str(&format!("  {h:<label$}  {piece}\n"));
                    first = false;
                } else {
                    out.push_str(&format!("{:indent$}{piece}\n", ""));
                }
            }
        }
    }
}

/// `line` in pieces of at most `room` characters, broken after a space or
/// a colon (a serial's bytes) where one falls in the piece, else anywhere.
fn wrap(line: &str, room: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest: Vec<char> = line.chars().collect();
    while rest.len() > room {
        let cut = (1..=room)
            .rev()
            .find(|&i| rest[i - 1] == ' ' || rest[i - 1] == ':')
            .unwrap_or(room);
        let piece: String = rest[..cut].iter().collect();
        pieces.push(piece.trim_end().to_string());
        rest.drain(..cut);
        while rest.first() == Some(&' ') {
            rest.remove(0);
        }
    }
    if !rest.is_empty() {
        pieces.push(rest.into_iter().collect());
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_terminal_gets_records_that_fit_and_a_pipe_does_not() {
        let serial = "25:59:e6:94:05:fd:a2:ab:70:db:08:88:0f:78:1a:d7:02:96:86:75";
        let row = ["1", "CN=client.example.com, O=Example Corp", "", serial];
        let mut s = stream(&["#", "Subject", "SANs", "Serial"]);
        s.terminal(40).records_below(100);
        let mut out = String::new();
        s.push(&row, &mut out);
        s.finish(&mut out);
        for l in out.lines() {
            assert!(l.chars().count() <= 40, "{l:?}");
        }
        assert!(out.starts_with("#1 ───"), "{out}");
        assert!(
            out.contains("\n  Subject  CN=client.example.com,\n           O=Example Corp\n"),
            "{out}"
        );
        assert!(
            out.contains("  Serial   25:59:e6:94:05:fd:a2:ab:70:\n"),
            "{out}"
        );
        assert!(!out.contains("SANs"), "{out}");
        assert_eq!(
            out.replace([' ', '\n'], "").matches(serial).count(),
            1,
            "{out}"
        );
        // Wide enough: the table.
        let mut s = stream(&["#", "Subject", "SANs", "Serial"]);
        s.terminal(120).records_below(100);
        let mut out = String::new();
        s.push(&row, &mut out);
        s.finish(&mut out);
        assert!(out.starts_with('┌'), "{out}");
        // A pipe: the plain lines, whatever the setting.
        let mut s = stream(&["#", "Subject"]);
        s.plain(true).records_below(100);
        let mut out = String::new();
        s.push(&["1", "CN=a"], &mut out);
        assert_eq!(out, "#\tSubject\n1\tCN=a\n");
    }

    #[test]
    fn the_plain_layout_is_one_line_per_row_with_tabs() {
        let mut g = new(&["#", "subject"]);
        g.plain(true);
        g.add_row(vec!["1".into(), "CN=a,\nO=b".into()]);
        assert_eq!(g.to_string(), "#\tsubject\n1\tCN=a, O=b");
        g.plain(false);
        assert!(g.to_string().contains('│'));
    }

    /// Rows whose cells vary in length, some with line breaks and tabs.
    fn rows(n: usize) -> Vec<Vec<String>> {
        (0..n)
            .map(|i| {
                vec![
                    (i + 1).to_string(),
                    format!(
                        "CN=host {i}.example.test,\nO=Example {}",
                        "x".repeat(i % 37)
                    ),
                    if i % 3 == 0 {
                        String::new()
                    } else {
                        format!("DNS:a{i}\tDNS:b")
                    },
                ]
            })
            .collect()
    }

    /// The streamed text of `rows` (plain, or on a terminal `width` wide).
    fn streamed(rows: &[Vec<String>], width: Option<u16>) -> String {
        let mut s = stream(&["#", "Subject", "SANs"]);
        match width {
            Some(w) => s.terminal(w),
            None => s.plain(true),
        };
        let mut out = String::new();
        for r in rows {
            s.push(r, &mut out);
        }
        s.finish(&mut out);
        out
    }

    fn grid(rows: &[Vec<String>], width: Option<u16>) -> String {
        let mut g = new(&["#", "Subject", "SANs"]);
        match width {
            Some(w) => g.plain(false).set_width(w),
            None => g.plain(true),
        };
        for r in rows {
            g.add_row(r.clone());
        }
        format!("{g}\n")
    }

    #[test]
    fn a_plain_stream_is_byte_for_byte_the_grid_and_draws_each_row_at_once() {
        for n in [0, 1, 5, BATCH + 7] {
            let r = rows(n);
            assert_eq!(streamed(&r, None), grid(&r, None), "{n} rows");
        }
        let mut s = stream(&["#", "Subject"]);
        s.plain(true);
        let mut out = String::new();
        s.push(&["1", "CN=a"], &mut out);
        assert_eq!(out, "#\tSubject\n1\tCN=a\n");
    }

    #[test]
    fn a_long_terminal_stream_keeps_min_widths_and_gives_the_room_left_to_grow_columns() {
        let long = "CN=a far longer name than any first row had";
        let mut s = stream(&["#", "Subject", "SANs"]);
        s.terminal(80).min_width(0, 5).grow(&[2]);
        let mut out = String::new();
        for i in 1..=BATCH + 1 {
            let sans = if i > BATCH { long } else { "x" };
            s.push(&[i.to_string().as_str(), "CN=a", sans], &mut out);
        }
        s.finish(&mut out);
        // "#" is 5 wide (7 with padding); SANs took the rest of the 80.
        assert!(out.starts_with("┌───────┬"), "{out}");
        for l in out.lines() {
            assert_eq!(l.chars().count(), 80, "{l:?}");
        }
        assert!(out.contains(long), "{out}");
        // Without them: "#" as wide as the first rows' numbers, the long
        // name wrapped in SANs' first width.
        let mut s = stream(&["#", "Subject", "SANs"]);
        s.terminal(80);
        let mut out = String::new();
        for i in 1..=BATCH + 1 {
            let sans = if i > BATCH { long } else { "x" };
            s.push(&[i.to_string().as_str(), "CN=a", sans], &mut out);
        }
        s.finish(&mut out);
        assert!(out.starts_with("┌─────┬") && !out.contains(long), "{out}");
    }

    #[test]
    fn a_short_terminal_stream_is_the_grid_a_long_one_fits_and_keeps_every_row() {
        let short = rows(BATCH);
        assert_eq!(streamed(&short, Some(60)), grid(&short, Some(60)));
        let n = 2 * BATCH + 31;
        let long = rows(n);
        let text = streamed(&long, Some(40));
        let lines: Vec<&str> = text.lines().collect();
        for l in &lines {
            assert!(l.chars().count() <= 40, "{l:?}");
        }
        // One frame: a top border, a header rule, a bottom border last.
        assert_eq!(lines.iter().filter(|l| l.starts_with('┌')).count(), 1);
        assert_eq!(lines.iter().filter(|l| l.starts_with('╞')).count(), 1);
        assert!(lines.last().unwrap().starts_with('└'), "{text}");
        assert_eq!(lines.iter().filter(|l| l.starts_with('└')).count(), 1);
        // Every row's number starts a line, in order.
        let numbers: Vec<usize> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("│ "))
            .filter_map(|l| l.split_whitespace().next()?.parse().ok())
            .collect();
        assert_eq!(numbers, (1..=n).collect::<Vec<_>>());
        // Rows past the first batch keep the first batch's columns.
        let top = lines[0].chars().filter(|&c| c == '┬').count();
        let last_row = lines[lines.len() - 2];
        assert_eq!(
            last_row.chars().filter(|&c| c == '┆').count(),
            top,
            "{last_row}"
        );
        assert_eq!(last_row.chars().count(), lines[0].chars().count());
    }
}
