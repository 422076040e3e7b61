//! A probe as `netlab-echo client` arguments (the CLI of `crates/echo`).

use std::time::Duration;

use crate::resolved::{Connection, Payload, Probe, Proto};

impl Probe {
    /// Arguments after the `netlab-echo` program name, `client` first, aimed at
    /// `server_host` (normally `self.to`; for an absent host with
    /// `resolve: address`, the unused address the runner picked).
    /// TCP-only flags are left out for UDP, `--socket` for TCP.
    pub fn client_args(&self, server_host: &str) -> Vec<String> {
        let mut a: Vec<String> = vec!["client".into(), "--proto".into()];
        a.push(self.proto.name().into());
        a.push("--server".into());
        a.push(host_port(server_host, self.port));
        a.extend(["--count".into(), self.count.to_string()]);
        a.extend(["--interval".into(), human(self.interval)]);
        a.extend(["--timeout".into(), human(self.timeout)]);
        if self.proto == Proto::Tcp {
            a.extend(["--connect-timeout".into(), human(self.connect_timeout)]);
        }
        match &self.payload {
            Payload::Message(m) => a.extend(["--message".into(), m.clone()]),
            Payload::Size(n) => a.extend(["--size".into(), n.to_string()]),
        }
        a.extend(["--warmup".into(), self.warmup.to_string()]);
        match self.proto {
            Proto::Tcp => {
                let mode = match self.connection {
                    Connection::PerProbe => "per-probe",
                    Connection::Persistent => "persistent",
                };
                a.extend(["--connection".into(), mode.into()]);
            }
            Proto::Udp => a.extend(["--socket".into(), self.socket.name().into()]),
        }
        a.push("--json".into());
        a
    }
}

/// IPv6 literals need brackets before the port.
fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// humantime form without spaces (`1s500ms`), so it stays one token anywhere.
fn human(d: Duration) -> String {
    humantime::format_duration(d).to_string().replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolved::SocketMode;

    fn probe(proto: Proto) -> Probe {
        Probe {
            id: "p".into(),
            from: "client".into(),
            to: "server".into(),
            port: 12000,
            proto,
            count: 20,
            interval: Duration::from_millis(10),
            timeout: Duration::from_millis(1500),
            connect_timeout: Duration::from_secs(3),
            payload: Payload::Message("hello netlab".into()),
            warmup: 2,
            connection: Connection::Persistent,
            socket: SocketMode::Connected,
            clients: 1,
            case: None,
        }
    }

    #[test]
    fn durations_round_trip_through_humantime() {
        for ms in [1, 10, 100, 999, 1000, 1500, 3000, 61_001] {
            let d = Duration::from_millis(ms);
            assert_eq!(
                humantime::parse_duration(&human(d)).unwrap(),
                d,
                "{}",
                human(d)
            );
        }
    }

    #[test]
    fn udp_args_leave_out_tcp_flags_and_name_the_socket() {
        let mut p = probe(Proto::Udp);
        let args = p.client_args("server");
        assert_eq!(
            args.join(" "),
            "client --proto udp --server server:12000 --count 20 --interval 10ms \
             --timeout 1s500ms --message hello netlab --warmup 2 --socket connected --json"
        );
        p.socket = SocketMode::Unconnected;
        let args = p.client_args("server").join(" ");
        assert!(args.ends_with("--socket unconnected --json"), "{args}");
    }

    #[test]
    fn tcp_args_carry_connect_timeout_and_mode() {
        let mut p = probe(Proto::Tcp);
        p.payload = Payload::Size(1000);
        let args = p.client_args("10.0.0.9");
        assert_eq!(
            args.join(" "),
            "client --proto tcp --server 10.0.0.9:12000 --count 20 --interval 10ms \
             --timeout 1s500ms --connect-timeout 3s --size 1000 --warmup 2 \
             --connection persistent --json"
        );
        assert_eq!(
            probe(Proto::Tcp).client_args("fd00::9")[4],
            "[fd00::9]:12000"
        );
    }
}
