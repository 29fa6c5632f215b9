//! Words and exit codes from one place. Everything a finished command
//! reports has a level; the exit code is decided here from those levels
//! (1 exactly when something is at error level), and the word a line is
//! printed with comes from the same level, so a `warning:` never exits 1
//! and an exit 1 always comes with an `error:` line.

use super::Exit;

/// How much one reported thing matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The job is done but the result will not work: exit 1.
    Error,
    /// Worth knowing; the result works.
    Warning,
    Note,
}

impl Level {
    /// The word a line at this level starts with.
    pub fn prefix(self) -> &'static str {
        match self {
            Level::Error => "error:",
            Level::Warning => "warning:",
            Level::Note => "note:",
        }
    }

    /// `text` as one line at this level.
    pub fn line(self, text: &str) -> String {
        format!("{} {text}", self.prefix())
    }

    /// Error when `fatal`, else warning.
    pub fn of(fatal: bool) -> Level {
        if fatal { Level::Error } else { Level::Warning }
    }
}

/// The exit of a finished job: `Findings` (1) when any level is Error.
pub fn decide(levels: impl IntoIterator<Item = Level>) -> Exit {
    if levels.into_iter().any(|l| l == Level::Error) {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

/// The exit code for an outcome. Errors that `Error::exit_code` puts at 1
/// (the inputs were read but do not fit together) are findings too.
pub fn code(result: &Result<Exit, crate::error::Error>) -> u8 {
    match result {
        Ok(Exit::Ok) => 0,
        Ok(Exit::Findings) => 1,
        Ok(Exit::Failed) => 2,
        Err(e) => e.exit_code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_error_exits_one() {
        assert_eq!(decide([]), Exit::Ok);
        assert_eq!(decide([Level::Warning, Level::Note]), Exit::Ok);
        assert_eq!(decide([Level::Warning, Level::Error]), Exit::Findings);
        assert_eq!(Level::of(true).line("x"), "error: x");
        assert_eq!(Level::of(false).line("x"), "warning: x");
    }
}
