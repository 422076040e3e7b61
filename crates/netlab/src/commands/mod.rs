//! One module per subcommand; `dispatch` picks it. Shared set-up (loading
//! labs, locating netlab-echo) lives here; which engines a command uses is
//! `engines.rs`.

mod clean;
mod grade;
mod images;
mod pool;
mod run;
mod swarm;
mod validate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use netlab_engine::ImageSources;
use netlab_lab::Lab;

use crate::cli::{Cli, Command, When};
use crate::exit::Failure;
use crate::progress;

/// How output should look, decided once from the flags and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub bars: bool,
    pub color: bool,
}

impl Ui {
    fn from(cli: &Cli) -> Ui {
        use std::io::IsTerminal;
        let color = match cli.color {
            When::Always => true,
            When::Never => false,
            When::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        };
        Ui {
            bars: progress::bars_wanted(cli.progress),
            color,
        }
    }
}

pub async fn dispatch(cli: Cli) -> Result<ExitCode, Failure> {
    let ui = Ui::from(&cli);
    match cli.command {
        Command::Run(args) => run::run(args, ui).await,
        Command::Grade(args) => grade::grade(args, ui).await,
        Command::Validate(args) => validate::validate(&args.labs),
        Command::Clean(args) => clean::clean(args).await,
        Command::Images(args) => images::images(args, ui).await,
    }
}

/// Loads and validates every lab before anything starts; all mistakes of
/// all files are reported together.
pub fn load_labs(paths: &[PathBuf]) -> Result<Vec<Lab>, Failure> {
    let mut labs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match netlab_lab::load(path) {
            Ok(lab) => labs.push(lab),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        Ok(labs)
    } else {
        Err(Failure::BadLab(errors.join("\n")))
    }
}

/// The static netlab-echo that goes into the echo image: `NETLAB_ECHO_BIN`,
/// or the one built next to this `netlab` binary.
pub fn image_sources() -> ImageSources {
    let echo_bin = std::env::var_os("NETLAB_ECHO_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join("netlab-echo")))
        })
        .unwrap_or_else(|| Path::new("netlab-echo").to_path_buf());
    ImageSources { echo_bin }
}
