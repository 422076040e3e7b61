//! What a run produced, from the raw probe lines up to graded checks. These
//! types are the single input of every reporter (terminal, JSON, JUnit, CSV,
//! Markdown, HTML); the JSON report is their serde form, so keep it stable.

use serde::{Deserialize, Serialize};

pub use netlab_contract::{
    Case, Outcome, ProbeRecord, Proto, RequestRecord, SocketMode, Stats, Summary as ProbeSummary,
};
pub use netlab_wire::{Dir, Flow, FlowProto, WireEvent, WireKind, WireSummary};

/// One probe set of a scenario: a client run from one host to a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeRun {
    /// The probe's `id` in the lab file.
    pub id: String,
    pub proto: Proto,
    /// Host the client ran on.
    pub from: String,
    /// What the client was pointed at (`HOST:PORT` as it was given).
    pub target: String,
    /// UDP: how the client used its socket (`connected` for TCP and in older
    /// reports).
    #[serde(default)]
    pub socket: SocketMode,
    /// The Task 4 case the scenario put the target in, if any (kebab-case,
    /// e.g. `port-closed`); absent in older reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<Case>,
    /// Per-probe records, in order.
    pub records: Vec<ProbeRecord>,
    /// The client's summary line; `None` when the client never produced one
    /// (it crashed, or the scenario deadline cut it off).
    pub summary: Option<ProbeSummary>,
    /// Set when the probe could not be run at all (an infrastructure fault,
    /// not a network outcome), e.g. the exec failed.
    pub infra_error: Option<String>,
    /// The scenario deadline stopped this probe before it finished.
    pub deadline_hit: bool,
    /// Why the probe was not run although it could have been: its target,
    /// a student's server, had already exited (nothing could answer).
    #[serde(default)]
    pub not_run: Option<String>,
    /// `netlab run --swarm`: the nodes the probe went between, its client's
    /// and then its target's (one name: both on one node). Empty on one engine.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
}

/// One program of a submission run once (`netlab grade`): what went in,
/// what came out, how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramOutput {
    /// The run's `id` in the lab file.
    pub id: String,
    /// Host it ran on, and the submission's role it ran.
    pub host: String,
    pub role: String,
    /// The command, space-joined.
    pub command: String,
    /// What was written to its standard input.
    pub stdin: Option<String>,
    /// Output kept (first and last part when cut; the cut is marked).
    pub stdout: String,
    pub stderr: String,
    /// Bytes the program wrote in total, kept or not.
    pub stdout_bytes: u64,
    pub stderr_bytes: u64,
    /// Bytes of it netlab kept (the first and the last part, up to the
    /// lab's output cap); less than the bytes written when the output was cut.
    #[serde(default)]
    pub stdout_kept: Option<u64>,
    #[serde(default)]
    pub stderr_kept: Option<u64>,
    /// Exit code; `None` when it was stopped at its deadline (or never ran).
    pub exit_code: Option<i64>,
    /// netlab stopped it at its deadline.
    pub timed_out: bool,
    /// Wall time until it ended or was stopped, ms.
    pub duration_ms: u64,
    /// The program could not be started (an infrastructure fault).
    pub infra_error: Option<String>,
    /// Sandbox limits the program's host hit while it ran (read from the
    /// kernel's counters for the container when the program failed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits_hit: Vec<LimitHit>,
    /// What the run's `server` received from the run's host while it ran;
    /// `None` when the run names no server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// What a reference server saw of one program run: the evidence that the
/// program really talked to it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// The server host.
    pub server: String,
    /// The run host's addresses: the peers that count as the program.
    pub from: Vec<String>,
    /// What the server's request log holds from those addresses.
    pub requests: Vec<RequestRecord>,
    /// Packets from those addresses that a firewall in front of the server
    /// counted (it dropped or rejected them); `None` without a firewall.
    pub packets: Option<u64>,
    /// The evidence could not be read (netlab's fault: the run's checks are
    /// not graded).
    pub error: Option<String>,
}

impl Contact {
    /// Something of the program reached the server or its firewall.
    pub fn reached(&self) -> bool {
        !self.requests.is_empty() || self.packets.is_some_and(|n| n > 0)
    }

    /// "the reference server `server` received nothing from 172.18.0.3".
    pub fn nothing(&self) -> String {
        let what = if self.packets.is_some() {
            "its firewall counted no packet"
        } else {
            "it logged no request"
        };
        format!(
            "the reference server `{}` received nothing from this program's host ({}): {what}, so what the program printed did not come from talking to the server",
            self.server,
            self.from.join(", ")
        )
    }
}

/// A sandbox limit the kernel enforced on a program's container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitHit {
    /// The memory limit: the kernel's OOM killer ended a process.
    Memory,
    /// The pids limit: a `fork()` failed.
    Pids,
}

impl ProgramOutput {
    /// The signal that ended the program, from its exit code (128 + N).
    pub fn signal(&self) -> Option<i32> {
        self.exit_code
            .filter(|c| (129..=128 + 64).contains(c))
            .map(|c| (c - 128) as i32)
    }

    /// Why the program did not end by itself, when it did not: killed by a
    /// signal, by the memory limit, or failed at the pids limit. Such a run is
    /// a `crash` in every check that reads it. `None` for a program that
    /// ended by itself or that netlab stopped at its deadline (a `timeout`).
    pub fn crash_cause(&self) -> Option<String> {
        if self.timed_out || self.infra_error.is_some() {
            return None;
        }
        let code = self.exit_code?;
        let memory = self.limits_hit.contains(&LimitHit::Memory);
        if let Some(sig) = self.signal() {
            let name = signal_name(sig);
            return Some(if memory && sig == 9 {
                format!(
                    "killed by the kernel for using more than its memory limit ({name}, exit code {code})"
                )
            } else {
                format!("killed by signal {sig} ({name}, exit code {code})")
            });
        }
        if code != 0 && self.limits_hit.contains(&LimitHit::Pids) {
            return Some(format!(
                "exited with code {code} after reaching its limit on processes (a fork failed)"
            ));
        }
        if code != 0 && memory {
            return Some(format!(
                "exited with code {code} after reaching its memory limit"
            ));
        }
        None
    }
}

impl ProgramOutput {
    /// "; it had reached its memory limit" for a program that netlab
    /// stopped at its deadline after it hit a limit (empty otherwise).
    pub fn limits_note(&self) -> String {
        let hit: Vec<&str> = self
            .limits_hit
            .iter()
            .map(|l| match l {
                LimitHit::Memory => "its memory limit (the kernel killed a process)",
                LimitHit::Pids => "its limit on processes (a fork failed)",
            })
            .collect();
        if hit.is_empty() {
            String::new()
        } else {
            format!("; it had reached {}", hit.join(" and "))
        }
    }
}

/// The usual name of a Linux signal number.
fn signal_name(sig: i32) -> String {
    let name = match sig {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        31 => "SIGSYS",
        _ => return format!("signal {sig}"),
    };
    name.to_owned()
}

/// Result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Fail,
    /// The check needs something this machine cannot do (e.g. netem delay on a
    /// kernel without `sch_netem`); it is reported, never silently passed.
    Unsupported,
    /// `netlab grade`: the student's program did not answer or end in time
    /// (a server never ready, a client stopped at its deadline).
    Timeout,
    /// `netlab grade`: the student's program died (exit code, signal, OOM);
    /// the evidence has the code and an excerpt of its stderr.
    Crash,
    /// The check could not be evaluated because the run itself failed (Docker,
    /// a reference host): not the student's fault, never graded. JSON: `infra_error`.
    #[serde(rename = "infra_error", alias = "error")]
    InfraError,
}

impl CheckStatus {
    /// The name in the JSON report (its serde form): `pass`, `fail`,
    /// `unsupported`, `timeout`, `crash`, `infra_error`.
    pub fn name(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Unsupported => "unsupported",
            CheckStatus::Timeout => "timeout",
            CheckStatus::Crash => "crash",
            CheckStatus::InfraError => "infra_error",
        }
    }

    /// The label every human format shows (terminal, Markdown, HTML,
    /// Gradescope); the README and docs/reports.md use the same words.
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Pass => "PASS",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Unsupported => "UNSUPPORTED",
            CheckStatus::Timeout => "TIMEOUT",
            CheckStatus::Crash => "CRASH",
            CheckStatus::InfraError => "INFRA ERROR",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check's `name` in the lab file.
    pub name: String,
    /// The kind of check: `outcome`, `replies`, `loss`, `rtt`, `compare`, ...
    pub kind: String,
    pub status: CheckStatus,
    /// Points the check is worth, and the points earned.
    pub points: f64,
    pub earned: f64,
    /// What was measured, in words and figures ("9/10 ok, 1 timeout").
    pub measured: String,
    /// What the lab expected ("all 10 ok").
    pub expected: String,
    /// The explanation that goes with the result: the lab's `explain`, or,
    /// when the check failed, a sentence saying that the measurement
    /// contradicts the expectation followed by `explain_fail` (or `explain`).
    pub explanation: String,
    /// Ids of the probes the check reads (empty in reports written before
    /// this field existed).
    #[serde(default)]
    pub probes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub name: String,
    pub title: String,
    pub description: String,
    pub probes: Vec<ProbeRun>,
    /// Programs of the submission run once (`netlab grade`); empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<ProgramOutput>,
    /// `netlab grade`: what each student server (a role host running its
    /// program for the whole scenario) wrote; `exit_code` is `None` when it
    /// was still serving at the end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<ProgramOutput>,
    pub checks: Vec<CheckResult>,
    /// Wall time of the scenario, milliseconds.
    pub duration_ms: u64,
    /// An infrastructure failure that stopped the scenario (its checks are
    /// then `infra_error`).
    pub error: Option<String>,
    /// Notes the run adds for the reader (e.g. "netem unsupported here").
    pub notes: Vec<String>,
    /// The packet capture of the scenario (`netlab run --capture`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture: Option<CaptureSummary>,
}

impl ScenarioResult {
    /// netlab's side failed here: the scenario could not run, or some check
    /// could not be graded (e.g. its probe could not run).
    pub fn is_infra(&self) -> bool {
        !self.infra_errors().is_empty()
    }

    /// Every infrastructure error, one line each: the scenario's own
    /// (`clients: ...`; its checks all repeat it, so they are not listed),
    /// else each check that could not be graded (`clients/CHECK: MEASURED`).
    pub fn infra_errors(&self) -> Vec<String> {
        if let Some(e) = &self.error {
            return vec![format!("{}: {e}", self.name)];
        }
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::InfraError)
            .map(|c| format!("{}/{}: {}", self.name, c.name, c.measured))
            .collect()
    }
}

/// A scenario's packet capture: where the pcap is and what it shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureSummary {
    /// Host in whose network namespace the capture was taken.
    pub host: String,
    /// The pcap file (openable in Wireshark), as written.
    pub file: String,
    /// The conversations on the wire; `None` when the capture failed.
    pub wire: Option<WireSummary>,
    /// Packets the kernel dropped before tcpdump read them: the summary
    /// misses that many.
    #[serde(default)]
    pub dropped: u64,
    /// Why there is no capture or no summary (the run itself went on).
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabResult {
    /// The lab's `name`.
    pub name: String,
    pub title: String,
    pub description: String,
    /// The lab file as given on the command line.
    pub file: String,
    pub scenarios: Vec<ScenarioResult>,
    pub duration_ms: u64,
}

impl LabResult {
    /// The infrastructure errors of every scenario ([`ScenarioResult::infra_errors`]).
    pub fn infra_errors(&self) -> Vec<String> {
        self.scenarios
            .iter()
            .flat_map(ScenarioResult::infra_errors)
            .collect()
    }
}

/// What a set of results amounts to: the one policy behind the exit status
/// of `netlab run` and `netlab grade` and behind grade's retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every check passed.
    Passed,
    /// Every check was graded and at least one did not pass.
    ChecksFailed,
    /// Something could not be graded because netlab's side failed; this
    /// outranks failed checks, which may only be its consequence.
    Infra,
}

impl Verdict {
    pub fn of<'a>(labs: impl IntoIterator<Item = &'a LabResult>) -> Verdict {
        let mut verdict = Verdict::Passed;
        for s in labs.into_iter().flat_map(|l| &l.scenarios) {
            if s.is_infra() {
                return Verdict::Infra;
            }
            if s.checks.iter().any(|c| c.status != CheckStatus::Pass) {
                verdict = Verdict::ChecksFailed;
            }
        }
        verdict
    }
}

/// Totals over a set of checks; the JSON report's top-level `summary`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub checks: u64,
    pub passed: u64,
    pub failed: u64,
    pub score: f64,
    pub max_score: f64,
    /// Checks not graded because of an infrastructure failure (`infra_error`);
    /// included in `failed`.
    #[serde(default)]
    pub infra_errors: u64,
}

impl Totals {
    /// Adds up every check of the given labs. Anything but `pass` counts as
    /// failed, so an unsupported or errored check never looks green.
    pub fn of<'a>(labs: impl IntoIterator<Item = &'a LabResult>) -> Totals {
        let mut t = Totals::default();
        for check in labs
            .into_iter()
            .flat_map(|l| &l.scenarios)
            .flat_map(|s| &s.checks)
        {
            t.checks += 1;
            t.max_score += check.points;
            t.score += check.earned;
            if check.status == CheckStatus::Pass {
                t.passed += 1;
            } else {
                t.failed += 1;
            }
            if check.status == CheckStatus::InfraError {
                t.infra_errors += 1;
            }
        }
        t
    }

    pub fn all_passed(&self) -> bool {
        self.failed == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, status: CheckStatus, measured: &str) -> CheckResult {
        CheckResult {
            name: name.into(),
            kind: "outcome".into(),
            status,
            points: 1.0,
            earned: if status == CheckStatus::Pass {
                1.0
            } else {
                0.0
            },
            measured: measured.into(),
            expected: String::new(),
            explanation: String::new(),
            probes: Vec::new(),
        }
    }

    fn lab(error: Option<&str>, checks: Vec<CheckResult>) -> LabResult {
        LabResult {
            name: "lab".into(),
            title: String::new(),
            description: String::new(),
            file: "lab.yaml".into(),
            scenarios: vec![ScenarioResult {
                name: "sc".into(),
                title: String::new(),
                description: String::new(),
                probes: Vec::new(),
                runs: Vec::new(),
                servers: Vec::new(),
                checks,
                duration_ms: 0,
                error: error.map(str::to_owned),
                notes: Vec::new(),
                capture: None,
            }],
            duration_ms: 0,
        }
    }

    #[test]
    fn status_names_are_the_serde_names() {
        use CheckStatus::*;
        for status in [Pass, Fail, Unsupported, Timeout, Crash, InfraError] {
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, status.name());
            assert_eq!(serde_json::from_value::<CheckStatus>(json).unwrap(), status);
        }
        // Reports written before the rename still read.
        assert_eq!(
            serde_json::from_str::<CheckStatus>(r#""error""#).unwrap(),
            InfraError
        );
    }

    /// A probe set from a report written before kernel time stamps: no
    /// `wire_rtt_us`, `wire_connect_us`, `wire` or `socket`. It loads, and
    /// the wire reads as not available (null), never as the app's figure.
    #[test]
    fn a_probe_run_of_an_older_report_still_loads() {
        let stats = r#"{"count":1,"min_us":118.0,"avg_us":118.0,"max_us":118.0,"mdev_us":0.0,"p50_us":118.0,"p90_us":118.0,"p99_us":118.0}"#;
        let json = format!(
            r#"{{"id":"udp","proto":"udp","from":"client","target":"server:12000",
            "records":[{{"seq":1,"proto":"udp","outcome":"ok","sent_at":"2026-11-24T07:28:57.912090Z",
              "received_at":"2026-11-24T07:28:57.912208Z","rtt_us":118.0,"connect_us":null,
              "request_us":null,"elapsed_us":118.5,"bytes":17,"errno":null,"error":null}}],
            "summary":{{"proto":"udp","server":"server:12000","sent":1,"received":1,"loss_pct":0.0,
              "outcomes":{{"ok":1}},"duplicates":0,"late":0,"mismatched":0,"rtt":{stats},
              "connect":null,"request":null}},
            "infra_error":null,"deadline_hit":false}}"#
        );
        let run: ProbeRun = serde_json::from_str(&json).unwrap();
        assert_eq!(run.records[0].rtt_us, Some(118.0));
        assert_eq!(run.records[0].wire_rtt_us, None);
        let summary = run.summary.as_ref().unwrap();
        assert_eq!(
            (summary.wire.as_ref(), summary.socket),
            (None, SocketMode::Connected)
        );
        // Written again, the new fields are there, null.
        let back = serde_json::to_value(&run).unwrap();
        assert!(back["records"][0]["wire_rtt_us"].is_null());
        assert!(back["summary"]["wire"].is_null());
        assert_eq!(serde_json::from_value::<ProbeRun>(back).unwrap(), run);
    }

    #[test]
    fn verdicts() {
        let pass = || check("a", CheckStatus::Pass, "");
        assert_eq!(Verdict::of(&[lab(None, vec![pass()])]), Verdict::Passed);
        assert_eq!(Verdict::of(&[]), Verdict::Passed);
        for status in [
            CheckStatus::Fail,
            CheckStatus::Unsupported,
            CheckStatus::Timeout,
            CheckStatus::Crash,
        ] {
            let l = lab(None, vec![pass(), check("b", status, "")]);
            assert_eq!(Verdict::of([&l]), Verdict::ChecksFailed, "{status:?}");
            assert!(l.infra_errors().is_empty());
        }
    }

    #[test]
    fn a_check_that_could_not_be_graded_is_infra_and_named() {
        let failed = check("b", CheckStatus::Fail, "");
        let infra = check(
            "c",
            CheckStatus::InfraError,
            "not measured: probe `p` could not run",
        );
        let l = lab(None, vec![failed, infra]);
        assert_eq!(Verdict::of([&l]), Verdict::Infra);
        assert_eq!(
            l.infra_errors(),
            ["sc/c: not measured: probe `p` could not run"]
        );
    }

    #[test]
    fn a_scenario_error_is_one_line_even_without_checks() {
        let l = lab(Some("no engine"), Vec::new());
        assert_eq!(Verdict::of([&l]), Verdict::Infra);
        let checks = vec![check(
            "c",
            CheckStatus::InfraError,
            "not measured: no engine",
        )];
        assert_eq!(
            lab(Some("no engine"), checks).infra_errors(),
            ["sc: no engine"]
        );
    }
}
