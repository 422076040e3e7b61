//! A lab's firewall fault as iptables commands, run by a NET_ADMIN sidecar in
//! the host's network namespace (Pumba's pattern).

use netlab_lab::{Direction, Firewall, FwAction, FwProto};

/// The iptables commands for one rule. `port` matches the destination port
/// of the filtered packets: inbound on a server, the requests to its port;
/// outbound on a client, the requests it sends to that port. REJECT uses
/// iptables' default, ICMP port unreachable, for UDP and TCP alike.
pub(crate) fn commands(fw: &Firewall) -> Vec<Vec<String>> {
    let chain = match fw.direction {
        Direction::In => "INPUT",
        Direction::Out => "OUTPUT",
    };
    let target = match fw.action {
        FwAction::Drop => "DROP",
        FwAction::Reject => "REJECT",
    };
    let protos: &[&str] = match (fw.proto, fw.port) {
        (FwProto::Udp, _) => &["udp"],
        (FwProto::Tcp, _) => &["tcp"],
        // A port match needs a protocol: one rule each.
        (FwProto::All, Some(_)) => &["udp", "tcp"],
        (FwProto::All, None) => &[],
    };
    let rule = |proto: Option<&str>| {
        let mut argv: Vec<String> = ["iptables", "-w", "5", "-I", chain]
            .map(String::from)
            .into();
        if let Some(p) = proto {
            argv.extend(["-p".into(), p.into()]);
            if let Some(port) = fw.port {
                argv.extend(["--dport".into(), port.to_string()]);
            }
        }
        argv.extend(["-j".into(), target.into()]);
        argv
    };
    if protos.is_empty() {
        vec![rule(None)]
    } else {
        protos.iter().map(|p| rule(Some(p))).collect()
    }
}

/// One line for the report: "iptables on server: DROP udp to port 12000 (in)".
pub(crate) fn describe(fw: &Firewall) -> String {
    let action = match fw.action {
        FwAction::Drop => "DROP",
        FwAction::Reject => "REJECT",
    };
    let proto = match fw.proto {
        FwProto::Udp => "udp",
        FwProto::Tcp => "tcp",
        FwProto::All => "all",
    };
    let port = fw
        .port
        .map_or("any port".to_string(), |p| format!("port {p}"));
    let dir = match fw.direction {
        Direction::In => "inbound",
        Direction::Out => "outbound",
    };
    format!(
        "firewall on {}: {action} {proto} to {port} ({dir})",
        fw.host
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fw(proto: FwProto, port: Option<u16>) -> Firewall {
        Firewall {
            host: "server".into(),
            action: FwAction::Drop,
            proto,
            port,
            direction: Direction::In,
        }
    }

    #[test]
    fn one_rule_per_protocol_when_a_port_is_given() {
        let cmds = commands(&fw(FwProto::All, Some(12000)));
        assert_eq!(cmds.len(), 2);
        assert_eq!(
            cmds[0].join(" "),
            "iptables -w 5 -I INPUT -p udp --dport 12000 -j DROP"
        );
        assert_eq!(
            cmds[1].join(" "),
            "iptables -w 5 -I INPUT -p tcp --dport 12000 -j DROP"
        );
    }

    #[test]
    fn reject_outbound_without_port() {
        let mut f = fw(FwProto::All, None);
        f.action = FwAction::Reject;
        f.direction = Direction::Out;
        assert_eq!(
            commands(&f)[0].join(" "),
            "iptables -w 5 -I OUTPUT -j REJECT"
        );
        assert_eq!(
            describe(&f),
            "firewall on server: REJECT all to any port (outbound)"
        );
    }
}
