#!/usr/bin/env bash
# The shipped labs done by hand with the docker CLI: the baseline that
# scripts/bench-run compares `netlab run` with. Same images and the same
# steps as netlab: one internal network; per scenario the server container
# (waiting for its "ready" line), an idle client container, faults from a
# NET_ADMIN sidecar in the server's namespace, `netlab-echo client` exec'd in
# the client, the scenario's containers removed; the network removed at the
# end. The probes mirror labs/*.yaml (keep them in step). No grading.
#
# Usage: scripts/bench-run-cli.sh task1 [task2 task3 task4]  (BENCH_CLI_SHOW=1: print
# each probe set's summary, to see that the steps do what the labs do)
# Needs the images (`netlab images`); NETLAB names the netlab binary.
set -euo pipefail
cd "$(dirname "$0")/.."

NETLAB=${NETLAB:-target/x86_64-unknown-linux-gnu/release/netlab}
images=$("$NETLAB" images --list)
ECHO=$(awk '$1 == "echo" && $3 == "present" {print $2}' <<<"$images")
TOOLS=$(awk '$1 == "tools" && $3 == "present" {print $2}' <<<"$images")
if [ -z "$ECHO" ] || [ -z "$TOOLS" ]; then
  echo "bench-run-cli: build the images first (\`$NETLAB images\`)" >&2
  exit 1
fi

RUN=benchcli-$$-$RANDOM
NET=$RUN-lan
LABELS=(--label "netlab.run=$RUN" --label netlab.lab=bench-cli)

# Containers of the current scenario, sidecars first (they live in their
# target's namespace).
remove_containers() {
  local ids
  ids=$({
    docker ps -aq --filter "label=netlab.run=$RUN" --filter label=netlab.role=sidecar
    docker ps -aq --filter "label=netlab.run=$RUN"
  } | awk '!seen[$0]++')
  if [ -n "$ids" ]; then docker rm -f $ids >/dev/null; fi
}
cleanup() {
  remove_containers
  docker network rm "$NET" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# host NAME ARGS...: a netlab-echo container reachable as NAME; an unknown
# name fails after 1 s, not after the embedded DNS's upstream timeouts (as
# netlab's hosts).
host() {
  local name=$1
  shift
  docker run -d --name "$RUN-$name" --network "$NET" --network-alias "$name" \
    --dns-option timeout:1 --dns-option attempts:1 "${LABELS[@]}" "$ECHO" "$@" >/dev/null
}

# Polls the server's log for its ready line (bounded: 10 s).
wait_ready() {
  local i
  for ((i = 0; i < 500; i++)); do
    if docker logs "$RUN-$1" 2>&1 | grep -q ready; then return 0; fi
    sleep 0.02
  done
  echo "bench-run-cli: $1 never printed its ready line" >&2
  exit 1
}

# firewall HOST ACTION: drop/reject UDP and TCP to port 12000, inbound.
firewall() {
  local fw=$RUN-$1-fw
  docker run -d --name "$fw" --network "container:$RUN-$1" --cap-drop ALL --cap-add NET_ADMIN \
    "${LABELS[@]}" --label netlab.role=sidecar "$TOOLS" sleep infinity >/dev/null
  for proto in udp tcp; do
    docker exec "$fw" iptables -w 5 -I INPUT -p "$proto" --dport 12000 -j "$2"
  done
}

# probe ARGS...: one netlab-echo client run in the client; failures are
# outcomes here, not errors. BENCH_CLI_SHOW=1 prints each summary line.
probe() {
  local out
  out=$(docker exec "$RUN-client" /netlab-echo client --message "hello from netlab" "$@" --json) || true
  if [ -n "${BENCH_CLI_SHOW:-}" ]; then tail -n 1 <<<"$out" | cut -c1-220; fi
}

# The highest address of the lab's subnet that no container holds (as
# netlab's `absent: …, resolve: address`).
free_address() {
  local subnet held ip len a b c d n i addr
  subnet=$(docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' "$NET")
  held=$(docker network inspect -f '{{range .Containers}}{{.IPv4Address}} {{end}}{{(index .IPAM.Config 0).Gateway}}' "$NET" | sed 's#/[0-9]*##g')
  ip=${subnet%/*} len=${subnet#*/}
  IFS=. read -r a b c d <<<"$ip"
  n=$(((a << 24) | (b << 16) | (c << 8) | d))
  for ((i = (1 << (32 - len)) - 2; i > 0; i--)); do
    addr=$(((n + i) >> 24 & 255)).$(((n + i) >> 16 & 255)).$(((n + i) >> 8 & 255)).$(((n + i) & 255))
    if [[ " $held " != *" $addr "* ]]; then
      echo "$addr"
      return
    fi
  done
  echo "bench-run-cli: no free address in $subnet" >&2
  exit 1
}

server_and_client() {
  host server server
  wait_ready server
  host client idle
}

task1() {
  server_and_client
  probe --proto udp --server server:12000 --count 20 --interval 10ms --timeout 1s
  remove_containers
}

task2() {
  server_and_client
  probe --proto tcp --server server:12000 --count 20 --interval 10ms --timeout 1s \
    --connect-timeout 3s --connection per-probe
  remove_containers
}

task3() {
  server_and_client
  probe --proto udp --server server:12000 --count 30 --interval 10ms --warmup 2
  probe --proto tcp --server server:12000 --count 30 --interval 10ms --warmup 2 --connection per-probe
  probe --proto tcp --server server:12000 --count 30 --interval 10ms --warmup 2 --connection persistent
  remove_containers
}

task4() {
  local udp=(--proto udp --interval 100ms) tcp=(--proto tcp --interval 100ms) addr
  # port closed: the server host runs without its program
  host server idle
  host client idle
  probe "${udp[@]}" --server server:12000 --count 3 --timeout 1s
  probe "${tcp[@]}" --server server:12000 --count 3 --connect-timeout 3s
  remove_containers
  for action in DROP REJECT; do
    local count=2
    [ "$action" = REJECT ] && count=3
    server_and_client
    firewall server "$action"
    probe "${udp[@]}" --server server:12000 --count "$count" --timeout 1s
    probe "${tcp[@]}" --server server:12000 --count "$count" --connect-timeout 3s
    remove_containers
  done
  # host absent: an unused address of the subnet (ARP fails)
  host client idle
  addr=$(free_address)
  probe "${udp[@]}" --server "$addr:12000" --count 2 --timeout 5s
  probe "${tcp[@]}" --server "$addr:12000" --count 2 --connect-timeout 5s
  remove_containers
  # unknown name: the server is not started
  host client idle
  probe "${udp[@]}" --server server:12000 --count 2
  probe "${tcp[@]}" --server server:12000 --count 2
  remove_containers
}

# One network per lab, as netlab does.
for lab in "$@"; do
  case $lab in
    task1 | task2 | task3 | task4) ;;
    *) echo "bench-run-cli: unknown lab $lab (task1..task4)" >&2; exit 2 ;;
  esac
  docker network create --internal "${LABELS[@]}" "$NET" >/dev/null
  "$lab"
  docker network rm "$NET" >/dev/null
done
