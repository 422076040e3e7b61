//! Which Task 4 case a scenario's faults put a probe's target in, so a
//! report can cite what other systems show there (`netlab_contract::OS_ERRORS`).

use super::fault::Faults;
use crate::resolved::{Case, Direction, FwAction, FwProto, Proto, Resolve};

/// The case of a probe of `proto` aimed at `host:port`; `None` when nothing
/// stands in its way (or only something no case describes, e.g. an impairment).
pub(crate) fn case(faults: &Faults, host: &str, proto: Proto, port: u16) -> Option<Case> {
    if let Some(a) = faults.absent.iter().find(|a| a.host == host) {
        return Some(match a.resolve {
            Resolve::None => Case::UnknownName,
            Resolve::Address => Case::HostAbsent,
        });
    }
    if faults.port_closed.iter().any(|h| h == host) {
        return Some(Case::PortClosed);
    }
    let fw = faults.firewalls.iter().find(|fw| {
        fw.host == host
            && fw.direction == Direction::In
            && fw.port.is_none_or(|p| p == port)
            && match fw.proto {
                FwProto::All => true,
                FwProto::Udp => proto == Proto::Udp,
                FwProto::Tcp => proto == Proto::Tcp,
            }
    })?;
    Some(match fw.action {
        FwAction::Drop => Case::FirewallDrop,
        FwAction::Reject => Case::FirewallReject,
    })
}
