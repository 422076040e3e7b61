//! `netlab-echo`: see the library for the parts; this only wires them up and
//! turns results into exit codes (0 all ok, 1 a probe failed, 2 usage).

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use netlab_echo::cli::{Cli, ClientArgs, Command, ServerArgs, ServerProto};
use netlab_echo::client::{self, Config, JsonSink, Sink};
use netlab_echo::human::HumanSink;
use netlab_echo::{idle, lookup, server};

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Server(args) => run_server(&args),
        Command::Client(args) => run_client(&args),
        Command::Idle => run_idle(),
        Command::Resolve(args) => match lookup::until_resolved(&args.name, args.within.into()) {
            Ok(addr) => {
                println!("{addr}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("netlab-echo resolve: {e}");
                ExitCode::from(1)
            }
        },
    }
}

fn run_server(args: &ServerArgs) -> ExitCode {
    // One thread: per request the work is a few bytes of uppercasing, and a
    // multi-threaded runtime wakes a second worker for each datagram, which
    // on a 2-core machine costs more latency than it buys (docs/benchmarks.md).
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(format_args!("server: cannot start the async runtime: {e}")),
    };
    rt.block_on(async {
        let mut signals = match idle::Signals::install() {
            Ok(s) => s,
            Err(e) => return fail(format_args!("server: cannot install signal handlers: {e}")),
        };
        let opts = server_options(args);
        let mut server = match server::Server::bind(args.proto, args.bind) {
            Ok(s) => s,
            Err(e) => return fail(format_args!("server: {e}")),
        };
        if opts.log_requests {
            // Before the ready line: the first request gets its stamps too.
            server.stamp_requests();
        }
        let ready = server.ready_line();
        let mut out = io::stdout().lock();
        if writeln!(out, "{ready}").and_then(|()| out.flush()).is_err() {
            return fail(format_args!(
                "server: cannot write the ready line to stdout"
            ));
        }
        drop(out);
        eprintln!("{ready}");
        tokio::select! {
            () = server.serve(opts) => ExitCode::SUCCESS,
            name = signals.recv() => {
                eprintln!("netlab-echo server: {name}, shutting down");
                ExitCode::SUCCESS
            }
        }
    })
}

/// Raises the open-file limit and derives the connection cap from it,
/// saying on stderr what it came to.
fn server_options(args: &ServerArgs) -> server::Options {
    let limit = server::raise_open_file_limit();
    let max_connections = match (args.max_connections, &limit) {
        (Some(n), _) => usize::try_from(n).unwrap_or(usize::MAX),
        (None, Ok(l)) => server::default_max_connections(l.soft),
        (None, Err(_)) => server::default_max_connections(1024),
    };
    let tcp = args.proto != ServerProto::Udp;
    match &limit {
        _ if !tcp => {}
        Ok(l) => {
            let raised = match l.was < l.soft {
                true => format!(" (raised from {})", l.was),
                false => String::new(),
            };
            eprintln!(
                "netlab-echo server: open-file limit {}{raised}; at most {max_connections} tcp connections",
                l.soft
            );
            let fit = server::default_max_connections(l.soft);
            if max_connections > fit {
                eprintln!(
                    "netlab-echo server: --max-connections {max_connections} is more than the open-file limit allows (about {fit}); \
                     when descriptors run out, the connection idle the longest is closed"
                );
            }
        }
        Err(e) => eprintln!(
            "netlab-echo server: cannot raise the open-file limit ({e}); at most {max_connections} tcp connections"
        ),
    }
    server::Options {
        idle_timeout: *args.idle_timeout,
        max_connections,
        log_requests: args.log_requests,
    }
}

fn run_client(args: &ClientArgs) -> ExitCode {
    let config = match Config::from_args(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("netlab-echo client: {e}");
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout().lock();
    let mut sink: Box<dyn Sink> = if args.json {
        Box::new(JsonSink(stdout))
    } else {
        Box::new(HumanSink::new(stdout))
    };
    match client::run(&config, sink.as_mut()) {
        Ok(summary) if summary.received == summary.sent => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => fail(format_args!("client: {e}")),
    }
}

fn run_idle() -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(format_args!("idle: cannot start the async runtime: {e}")),
    };
    rt.block_on(async {
        match idle::Signals::install() {
            Ok(mut signals) => {
                signals.recv().await;
                ExitCode::SUCCESS
            }
            Err(e) => fail(format_args!("idle: cannot install signal handlers: {e}")),
        }
    })
}

fn fail(msg: std::fmt::Arguments<'_>) -> ExitCode {
    eprintln!("netlab-echo {msg}");
    ExitCode::from(1)
}
