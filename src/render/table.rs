//! comfy-table drawing shared by the commands: no colour, the terminal's
//! width when known and 120 columns otherwise (a pipe or a log file), so
//! long subjects and fixes wrap instead of making 300-column lines.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

/// A table with the house style and the given header.
pub fn new(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    if t.width().is_none() {
        t.set_width(FALLBACK_WIDTH);
    }
    t
}

/// Width used when the output is not a terminal.
pub const FALLBACK_WIDTH: u16 = 120;
