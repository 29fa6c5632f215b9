//! `chainfix completions SHELL` and `chainfix man`: shell completions and
//! man pages, both generated from the same clap definitions as `--help`,
//! so they cannot drift from the commands.

use std::path::PathBuf;

use clap::CommandFactory;

use super::{Cli, Exit, Io, common};
use crate::error::{Error, Result};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// Write chainfix.1 and one page per command (chainfix-bundle.1, …)
    /// into this directory instead of printing chainfix.1.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

pub fn run(args: Args, io: &mut Io<'_>) -> Result<Exit> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "chainfix", &mut buf);
    common::out(io, &String::from_utf8_lossy(&buf))?;
    Ok(Exit::Ok)
}

fn page(cmd: clap::Command) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .map_err(|source| Error::Write {
            path: PathBuf::from("<man page>"),
            source,
        })?;
    Ok(buf)
}

pub fn man(args: ManArgs, io: &mut Io<'_>) -> Result<Exit> {
    let cmd = Cli::command();
    let Some(dir) = args.out_dir else {
        common::out(io, &String::from_utf8_lossy(&page(cmd)?))?;
        return Ok(Exit::Ok);
    };
    std::fs::create_dir_all(&dir).map_err(|source| Error::Write {
        path: dir.clone(),
        source,
    })?;
    let mut written = vec![("chainfix.1".to_string(), page(cmd.clone())?)];
    for sub in cmd.get_subcommands() {
        let name = format!("chainfix-{}", sub.get_name());
        let sub = sub.clone().name(name.clone());
        written.push((format!("{name}.1"), page(sub)?));
    }
    for (name, bytes) in &written {
        crate::emit::write_atomic(&dir.join(name), bytes, crate::emit::Secrecy::Public, true)?;
    }
    common::note(
        io,
        &format!(
            "wrote {} man pages to {}; read one with `man -l {}`",
            written.len(),
            dir.display(),
            dir.join("chainfix.1").display()
        ),
    );
    Ok(Exit::Ok)
}
