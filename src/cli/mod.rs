//! The command layer: clap definitions, and the only code that prints.
//! `main` parses, runs, and maps the result to an exit code: 0 done and
//! all good, 1 done but with findings at error level, 2 could not do the
//! job. A broken pipe on output counts as success.

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::Error;

pub mod bundle;
pub mod common;
pub mod completions;
pub mod csr;
pub mod diagnose;
pub mod fetch_args;
pub mod inspect;
pub mod json;
pub mod keystore;
pub mod lint;
pub mod peer_args;
pub mod probe;
pub mod revocation_args;
pub mod roots;
pub mod serve;
pub mod verdict;
pub mod verify;

const EXIT_CODES: &str = "Exit codes: 0 done, all good; 1 done, but with findings at error level \
(an incomplete chain, a key that matches no certificate, a failed check); 2 could not do the job \
(bad usage, unreadable or malformed input, wrong password, output exists). A warning: never \
causes exit 1; exit 1 always prints an error: line. With --json, exit 2 prints \
{\"version\":1,\"error\":{kind,file,message,fix}} on stdout.";

/// Defines [`Cli`], and `Lone<S>`: the same root (name, about, global
/// arguments) over a subcommand enum `S` of one subcommand, for `parse`.
macro_rules! root {
    ($(#[doc = $sdoc:literal])* { $($(#[$m:meta])* pub $f:ident: $t:ty,)* }) => {
        $(#[doc = $sdoc])*
        #[derive(Parser, Debug)]
        #[command(name = "chainfix", version, about, after_help = EXIT_CODES)]
        pub struct Cli {
            #[command(subcommand)]
            pub command: Command,
            $($(#[$m])* pub $f: $t,)*
        }

        $(#[doc = $sdoc])*
        #[derive(Parser, Debug)]
        // The full tree numbers its subcommands for display first, then
        // the global arguments: the lone subcommand takes the last number
        // so that `--color` and `--verbose` sort where they do in the full
        // tree's help.
        #[command(name = "chainfix", version, about, after_help = EXIT_CODES)]
        #[command(next_display_order = SUBCOMMANDS - 1)]
        struct Lone<S: Subcommand> {
            #[command(subcommand)]
            command: S,
            $($(#[$m])* $f: $t,)*
        }

        impl<S: Subcommand + Into<Command>> Lone<S> {
            fn into_cli(self) -> Cli {
                Cli {
                    command: self.command.into(),
                    $($f: self.$f,)*
                }
            }
        }
    };
}

root! {
    /// Takes the certificate files you have and hands back a chain that works.
    {
        /// Colour in the output: chainfix draws none, so `never` and `auto`
        /// (which also honours NO_COLOR) print the same; accepted so scripts
        /// that pass it to every tool work.
        #[arg(
            long,
            global = true,
            value_enum,
            value_name = "WHEN",
            default_value = "auto"
        )]
        pub color: ColorWhen,
        /// List every dropped input and every problem; without it, long lists
        /// stop after a few lines with a count of the rest.
        #[arg(short, long, global = true)]
        pub verbose: bool,
    }
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Never,
}

/// Defines [`Command`], and beside it one enum per subcommand holding
/// only that subcommand (same name, same doc comment, same arguments):
/// [`run`] parses `chainfix verify ...` with the root and the `verify`
/// subcommand alone instead of building all twelve subcommands' clap
/// definitions, a third of a small run's start-up. `cli::tests` checks
/// that each lone subcommand's clap definition equals the full tree's.
macro_rules! commands {
    ($($(#[doc = $doc:literal])* $variant:ident($args:ty) as $only:ident;)*) => {
        #[derive(Subcommand, Debug)]
        pub enum Command {
            $($(#[doc = $doc])* $variant($args),)*
        }
        $(
            #[derive(Subcommand, Debug)]
            enum $only {
                $(#[doc = $doc])* $variant($args),
            }
            impl From<$only> for Command {
                fn from(c: $only) -> Command {
                    let $only::$variant(a) = c;
                    Command::$variant(a)
                }
            }
        )*
        /// The root with each subcommand alone, as `parse` builds it.
        #[cfg(test)]
        fn lone_commands() -> Vec<clap::Command> {
            use clap::CommandFactory;
            vec![$(Lone::<$only>::command()),*]
        }

        /// How many subcommands [`Command`] has.
        const SUBCOMMANDS: usize = [$(stringify!($variant)),*].len();

        /// Parses `args` with the full tree, or with the root and only the
        /// subcommand `args[1]` names when it names one.
        fn parse(args: &[OsString]) -> Result<Cli, clap::Error> {
            let first = args.get(1).and_then(|a| a.to_str()).unwrap_or("");
            $(
                if <$only as Subcommand>::has_subcommand(first) {
                    return Lone::<$only>::try_parse_from(args).map(Lone::into_cli);
                }
            )*
            Cli::try_parse_from(args)
        }
    };
}

commands! {
    /// Show every certificate and key read from the inputs.
    Inspect(inspect::Args) as InspectOnly;
    /// Write key + leaf + intermediates in issuing order (fullcert.pem for curl -E).
    Bundle(bundle::Args) as BundleOnly;
    /// Build and validate the path to a trust store; say why not and how to fix it.
    Verify(verify::Args) as VerifyOnly;
    /// Explain a peer's "unable to get local issuer certificate" from your files.
    Diagnose(diagnose::Args) as DiagnoseOnly;
    /// Check certificates before an upload or a handshake: every certificate and issuer link, with a fix per finding.
    Lint(lint::Args) as LintOnly;
    /// Write key + chain as a JKS (Salesforce, Java) or PKCS#12 (curl, browsers), checking Salesforce's import rules first.
    Keystore(keystore::Args) as KeystoreOnly;
    /// Make a new private key and a certificate signing request (or a CSR for an existing key).
    Csr(csr::Args) as CsrOnly;
    /// Check a live TLS server: the chain it sends, the client CAs it asks for, and whether your client chain gets in.
    Probe(probe::Args) as ProbeOnly;
    /// List a trust store (bundled Salesforce CANDIDATE list, Mozilla, your org's cacerts.jsp) or look certificates up in it.
    Roots(roots::Args) as RootsOnly;
    /// Serve a local web page (127.0.0.1) to check chains and download fixed files.
    Serve(serve::Args) as ServeOnly;
    /// Print shell completions: `chainfix completions bash > /etc/bash_completion.d/chainfix`.
    Completions(completions::Args) as CompletionsOnly;
    /// Print the man page (or write every page with --out-dir DIR).
    Man(completions::ManArgs) as ManOnly;
}

/// What a command did, when it could do it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Done, nothing at error level.
    Ok,
    /// Done, with findings at error level.
    Findings,
    /// Could not do the job (exit 2), and the command has already said why
    /// on stderr and, with `--json`, in its own JSON object.
    Failed,
}

/// The terminal a command talks to: injected so tests drive commands
/// without a subprocess.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub stdin: &'a mut dyn Read,
    pub stdin_tty: bool,
    pub stderr_tty: bool,
    /// `--verbose`: long lists in full (set by [`run`] from the arguments).
    pub verbose: bool,
}

/// Runs chainfix with `args` (including the program name) on `io`, and
/// returns the exit code.
pub fn run(args: impl IntoIterator<Item = OsString>, io: &mut Io<'_>) -> u8 {
    let args: Vec<OsString> = args.into_iter().collect();
    let cli = match parse(&args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            if code == 2 && args.iter().any(|a| a == "--json") {
                json::print_error(io, json::ErrorJson::usage(&e.render().to_string()));
            }
            let _ = write!(
                if code == 0 {
                    &mut *io.out
                } else {
                    &mut *io.err
                },
                "{}",
                e.render()
            );
            return code;
        }
    };
    io.verbose = cli.verbose;
    let wants_json = cli.command.json();
    let result = match cli.command {
        Command::Inspect(a) => inspect::run(a, io),
        Command::Bundle(a) => bundle::run(a, io),
        Command::Roots(a) => roots::run(a, io),
        Command::Lint(a) => lint::run(a, io),
        Command::Verify(a) => verify::run(a, io),
        Command::Diagnose(a) => diagnose::run(a, io),
        Command::Keystore(a) => keystore::run(a, io),
        Command::Csr(a) => csr::run(a, io),
        Command::Probe(a) => probe::run(a, io),
        Command::Serve(a) => serve::run(a, io),
        Command::Completions(a) => completions::run(a, io),
        Command::Man(a) => completions::man(a, io),
    };
    let code = verdict::code(&result);
    match result {
        Err(Error::Write { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            if code == 1 {
                // The job was done as far as it could be: a finding.
                let _ = writeln!(io.err, "{}", verdict::Level::Error.line(&e.to_string()));
            } else {
                let _ = writeln!(io.err, "chainfix: {e}");
            }
            if wants_json {
                json::print_error(io, json::ErrorJson::of(&e));
            }
            code
        }
        Ok(_) => code,
    }
}

impl Command {
    /// `--json` was given.
    fn json(&self) -> bool {
        match self {
            Command::Inspect(a) => a.json,
            Command::Bundle(a) => a.json,
            Command::Verify(a) => a.json,
            Command::Diagnose(a) => a.verify.json,
            Command::Lint(a) => a.json,
            Command::Keystore(a) => a.json,
            Command::Csr(a) => a.json,
            Command::Probe(a) => a.json,
            Command::Roots(a) => a.json,
            Command::Completions(_) | Command::Man(_) | Command::Serve(_) => false,
        }
    }
}

/// What ends the run when a certificate kept on disk (see
/// [`crate::model::keep_der_on_disk`]) is read again after its file
/// changed, past [`crate::parse::Inventory::load_needed`]: the error, and
/// exit 2, rather than an answer about other bytes.
pub(crate) fn reread_failed(e: &Error) -> ! {
    let _ = std::io::Write::flush(&mut std::io::stdout());
    eprintln!("chainfix: {e}");
    std::process::exit(2)
}

/// [`reread_failed`] under `--json`: the error object on stdout too, as
/// for every other failure. (Reports are serialised whole before they are
/// written, so no half document precedes it.)
pub(crate) fn reread_failed_json(e: &Error) -> ! {
    let _ = std::io::Write::flush(&mut std::io::stdout());
    eprintln!("chainfix: {e}");
    print!("{}", json::error_text(e));
    let _ = std::io::Write::flush(&mut std::io::stdout());
    std::process::exit(2)
}

/// The handler [`crate::model::keep_der_on_disk`] is given.
pub(crate) fn on_reread_failure(json: bool) -> fn(&Error) -> ! {
    if json {
        reread_failed_json
    } else {
        reread_failed
    }
}

/// The process entry point.
pub fn main() -> ExitCode {
    let stdin_tty = std::io::stdin().is_terminal();
    let stderr_tty = std::io::stderr().is_terminal();
    // stdout is ours alone, so it is locked once. stderr is not: the
    // progress bar draws to it from its own thread, so holding the stderr
    // lock for the whole run would leave that thread (and, at finish, us)
    // waiting forever on a terminal. Each write takes the lock briefly.
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr();
    let mut stdin = std::io::stdin().lock();
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        stdin: &mut stdin,
        stdin_tty,
        stderr_tty,
        verbose: false,
    };
    let code = run(std::env::args_os(), &mut io);
    let _ = io.out.flush();
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// Each lone subcommand `parse` builds is, once built, the full tree's
    /// subcommand of that name to the last field clap keeps (arguments,
    /// display order, usage name, help): so its help, errors and parsing
    /// are the full tree's. Only its own place in the root's list differs,
    /// and the lone root's help is never shown.
    #[test]
    fn each_lone_subcommand_is_the_full_trees() {
        let mut full = Cli::command();
        full.build();
        let lone = lone_commands();
        assert_eq!(lone.len(), full.get_subcommands().count() - 1); // + help
        for mut root in lone {
            root.build();
            let subs: Vec<_> = root
                .get_subcommands()
                .filter(|s| s.get_name() != "help")
                .collect();
            assert_eq!(subs.len(), 1);
            let name = subs[0].get_name();
            let theirs = full.find_subcommand(name).expect("in the full tree");
            let norm = |c: &clap::Command| format!("{:?}", c.clone().display_order(0));
            assert_eq!(norm(subs[0]), norm(theirs), "subcommand {name}");
            let args = |c: &clap::Command| format!("{:?}", c.get_arguments().collect::<Vec<_>>());
            assert_eq!(args(&root), args(&full), "root arguments beside {name}");
        }
    }

    /// `parse` takes the lone path for `chainfix verify ...` and the full
    /// tree otherwise, and both give the same `Cli`.
    #[test]
    fn parse_gives_the_full_trees_answer() {
        for line in [
            "chainfix verify a.pem --trust root.pem --at 2027-01-01 -v",
            "chainfix -v bundle a.pem -o out.pem",
            "chainfix --color never inspect a.pem --json",
        ] {
            let args: Vec<OsString> = line.split(' ').map(OsString::from).collect();
            let ours = format!("{:?}", parse(&args).expect("parses"));
            let full = format!("{:?}", Cli::try_parse_from(&args).expect("parses"));
            assert_eq!(ours, full, "{line}");
        }
        let bad: Vec<OsString> = ["chainfix", "verify", "--bogus"]
            .map(OsString::from)
            .to_vec();
        assert_eq!(
            parse(&bad).unwrap_err().render().to_string(),
            Cli::try_parse_from(&bad).unwrap_err().render().to_string()
        );
    }
}
