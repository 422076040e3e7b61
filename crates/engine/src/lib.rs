//! Everything netlab asks of Docker, through bollard: images, networks,
//! containers, NET_ADMIN sidecars, exec, readiness and label-based cleanup.
