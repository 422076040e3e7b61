//! The command line, as clap derive types. Only parsing lives here; each
//! subcommand's behaviour is in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engines::EngineArgs;

const EXAMPLES: &str = "\
Examples:
  netlab run labs/task3.yaml                 run Task 3 (UDP vs TCP RTT) and print the graded report
  netlab run labs/*.yaml --junit junit.xml   run every lab, write JUnit XML for CI
  netlab run labs/task4.yaml --json r.json   keep the full results (every probe) as JSON
  netlab run labs/task3.yaml --html r.html   a page to project: checks, RTT plots, outcome matrix
  netlab run labs/task4.yaml --capture       also record each scenario's packets (netlab-captures/*.pcap)
  netlab grade labs/grading/handout.yaml --submissions subs/ --jobs 4
                                             grade every student folder in subs/ (gradebook in netlab-grades/)
  netlab grade labs/grading/handout.yaml --submission my-lab3/
                                             a student checks their own folder (exit 0: every check passed)
  netlab validate labs/*.yaml                check lab files without Docker
  netlab images                              list netlab's images, building missing ones
  netlab clean                               remove containers/networks left by killed runs

Exit status: 0 all checks passed, 1 some check failed, 2 bad lab file or usage,
3 Docker engine or infrastructure failure, 130 interrupted (everything removed).";

/// Reproducible, gradeable computer-networks labs on Docker.
///
/// A lab file (YAML) describes hosts, the programs they run, faults and
/// graded checks; netlab starts the hosts as containers on a private Docker
/// network, runs the probes and grades what it measured.
#[derive(Debug, Parser)]
#[command(name = "netlab", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Progress bars on stderr: `auto` shows them on a terminal outside CI.
    #[arg(long, global = true, value_enum, default_value_t = When::Auto)]
    pub progress: When,

    /// Colour in the terminal report: `auto` uses colour on a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = When::Auto)]
    pub color: When,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum When {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run labs on Docker and print a graded report.
    Run(RunArgs),
    /// Grade a class's submissions (one folder per student) against a grading lab.
    Grade(GradeArgs),
    /// Check lab files for mistakes without running them (needs no Docker).
    Validate(ValidateArgs),
    /// Remove the containers and networks of finished netlab runs (a killed
    /// run, `--keep`); runs still in progress are left alone unless `--all`.
    Clean(CleanArgs),
    /// List netlab's images (echo, tools, python) and build those missing or stale.
    Images(ImagesArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Lab files to run, one after another.
    #[arg(required = true, value_name = "LAB")]
    pub labs: Vec<PathBuf>,

    /// Write the full results (every probe, every check) as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Write JUnit XML (one test case per check) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Write a self-contained HTML report (checks, RTT plots, outcome matrix) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Leave a completed run's containers (stopped, with their logs) and
    /// network for inspection; later runs leave them alone, `netlab clean`
    /// removes them. An interrupted run is always removed.
    #[arg(long)]
    pub keep: bool,

    /// Capture each scenario's packets (tcpdump in the server's network
    /// namespace, or the scenario's `capture` host) into a pcap for Wireshark,
    /// and summarize them in the report.
    #[arg(long)]
    pub capture: bool,

    /// Directory for the captures, one `<lab>-<scenario>.pcap` per scenario.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "netlab-captures",
        requires = "capture"
    )]
    pub capture_dir: PathBuf,

    /// Run the lab's hosts on the nodes of a Docker Swarm, over an overlay
    /// (VXLAN) network: URL is a manager's engine. Hosts go where their
    /// `node` says, or by `placement`. netlab starts each container through
    /// its node's own engine: the manager's is URL; a worker's is an
    /// `--engine URL` whose node it is, or its engine label
    /// `netlab.endpoint=URL`. See the README's "A lab across machines".
    #[arg(long, value_name = "MANAGER_URL")]
    pub swarm: Option<String>,

    /// With --swarm: `spread` puts the hosts on the nodes in turn (client
    /// and server on different machines), `together` on the manager's;
    /// instead of each lab's own `placement`.
    #[arg(long, value_name = "HOW", requires = "swarm")]
    pub placement: Option<PlacementArg>,

    #[command(flatten)]
    pub engines: EngineArgs,
}

/// `--placement`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlacementArg {
    Together,
    Spread,
}

impl From<PlacementArg> for netlab_lab::Placement {
    fn from(p: PlacementArg) -> Self {
        match p {
            PlacementArg::Together => netlab_lab::Placement::Together,
            PlacementArg::Spread => netlab_lab::Placement::Spread,
        }
    }
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["submissions", "submission"])))]
pub struct GradeArgs {
    /// The grading lab (a lab file with a `submission` section).
    #[arg(value_name = "LAB")]
    pub lab: PathBuf,

    /// Folder with one sub-folder per student, named by the student's id.
    #[arg(long, value_name = "DIR")]
    pub submissions: Option<PathBuf>,

    /// Grade one folder (a student checking their own programs): prints the
    /// report; exit status 0 when every check passed, 1 when one failed.
    /// Writes files only with --out.
    #[arg(long, value_name = "DIR", conflicts_with = "only")]
    pub submission: Option<PathBuf>,

    /// Submissions graded at the same time on each engine, each on its own
    /// network. [default: the engine's CPU count; an engines file can set it
    /// per engine]
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// Grade only this student (repeatable); the class files are merged from
    /// every result already in the output folder.
    #[arg(long, value_name = "ID")]
    pub only: Vec<String>,

    /// Output folder: grades.csv, summary.json, junit.xml, class.html,
    /// students/<id>/... [default with --submissions: netlab-grades]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Columns of grades.csv: `plain` (student, total, one column per check;
    /// Moodle) or `canvas` (Canvas's identity columns and a Points Possible row).
    #[arg(long, value_enum, default_value_t = GradebookArg::Plain)]
    pub gradebook: GradebookArg,

    #[command(flatten)]
    pub engines: EngineArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GradebookArg {
    Plain,
    Canvas,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Lab files to check.
    #[arg(required = true, value_name = "LAB")]
    pub labs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CleanArgs {
    /// Also remove the objects of netlab runs that are still in progress.
    #[arg(long)]
    pub all: bool,

    #[command(flatten)]
    pub engines: EngineArgs,
}

#[derive(Debug, Args)]
pub struct ImagesArgs {
    /// Only list the images and their state; build nothing.
    #[arg(long, conflicts_with = "prune")]
    pub list: bool,

    /// Then remove netlab's images that are no longer current (each rebuild
    /// of netlab leaves its previous echo image behind). An image that a
    /// container still uses (a `--keep` run) stays until `netlab clean`.
    #[arg(long)]
    pub prune: bool,

    #[command(flatten)]
    pub engines: EngineArgs,
}
