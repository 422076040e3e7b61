#!/usr/bin/env python3
"""Self-check of the example submissions on loopback, without Docker.

Not part of the test suite (the real grading runs in containers via `netlab grade`).
It shows, on this machine only, that each example does what its name says:

* every student server is started on a free loopback port and probed by a trusted
  client written here (uppercase reply, repeated probes, a long message, clients at
  once, still running afterwards, bound to all interfaces or to loopback only);
* every student client gets "hello netlab" on stdin and is run against a trusted
  server written here, then against a closed port and against a server that never
  answers, with a hard kill after HARD_KILL seconds (Task 4: it must not hang).

Programs that hard-code `'server'` and 12000 run from a temporary copy in which
those two literals are replaced by 127.0.0.1 and the chosen port; the others get
SERVER_HOST / SERVER_PORT.  The memory hog and the fork bomb are never started
(see SKIP).  Every process started here runs in its own session with an address
space and CPU limit and is killed by its own process group id when done.

Usage: python3 examples/submissions/selfcheck.py [STUDENT_ID ...]
Exit status 0 when every check came out as EXPECTED says, 1 otherwise.
"""
import concurrent.futures
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LOOPBACK = '127.0.0.1'
HARD_KILL = 3.0  # seconds a client may run before it counts as hanging
PROBE_TIMEOUT = 1.0
MESSAGE = 'hello netlab'
LONG_MESSAGE = ('the quick brown fox jumps over the lazy dog %04d. ' * 30 % tuple(range(30)))[:1200]
LIMITS = 'import resource as r; r.setrlimit(r.RLIMIT_AS, (1 << 30, 1 << 30)); r.setrlimit(r.RLIMIT_CPU, (20, 20))'

SERVER_CHECKS = ['ready', 'uppercase', 'repeated', 'long', 'at_once', 'alive', 'all_interfaces']
CLIENT_CHECKS = ['reply', 'rtt', 'timestamps', 'no_hang_closed', 'no_hang_silent']

# Never started here: they are only safe inside the grader's sandbox.
SKIP = {
    ('s008-memory-hog', 'TCPServer.py'): 'memory hog: allocates without bound once a client sends',
    ('s010-fork-bomb', 'UDPServer.py'): 'fork bomb: forks without bound at start-up',
}

# Checks each submission is expected to FAIL (all other checks must pass).
EXPECTED = {
    's001-correct': {},
    's002-no-uppercase': {
        'UDPServer.py': {'uppercase', 'repeated', 'long', 'at_once'},
        'TCPServer.py': {'uppercase', 'repeated', 'long', 'at_once'},
    },
    's003-exits-after-one': {
        'UDPServer.py': {'repeated', 'long', 'at_once', 'alive'},
        'TCPServer.py': {'repeated', 'long', 'at_once', 'alive'},
    },
    's004-no-rtt': {
        'UDPClient.py': {'rtt', 'timestamps'},
        'TCPClient.py': {'rtt', 'timestamps'},
    },
    's005-loopback-bind': {
        'UDPServer.py': {'all_interfaces'},
        'TCPServer.py': {'all_interfaces'},
    },
    's006-silent-server-no-timeout': {
        'UDPServer.py': {'uppercase', 'repeated', 'long', 'at_once'},
        'TCPServer.py': {'uppercase', 'repeated', 'long', 'at_once'},
        # A closed TCP port is refused at once, so only the UDP client hangs there.
        'UDPClient.py': {'no_hang_closed', 'no_hang_silent'},
        'TCPClient.py': {'no_hang_silent'},
    },
    's007-syntax-error': {
        'UDPServer.py': set(SERVER_CHECKS),
    },
    's008-memory-hog': {},
    's009-truncated': {
        'UDPServer.py': {'long'},
        'TCPServer.py': {'long'},
    },
    's010-fork-bomb': {},
}


# ---------------------------------------------------------------- processes

def free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def prepared(student, program, port, workdir):
    """Copy of the program with the hard-coded server name and port replaced."""
    with open(os.path.join(HERE, student, program), encoding='utf-8', errors='replace') as f:
        source = f.read()
    source = re.sub(r"""(['"])server\1""", repr(LOOPBACK), source)
    source = re.sub(r'\b12000\b', str(port), source)
    path = os.path.join(workdir, '%s-%d-%s' % (student, port, program))
    with open(path, 'w', encoding='utf-8') as f:
        f.write(source)
    return path


def start(path, port, workdir, stdin=subprocess.DEVNULL):
    env = dict(os.environ, SERVER_HOST=LOOPBACK, SERVER_PORT=str(port), PYTHONDONTWRITEBYTECODE='1')
    launcher = LIMITS + '; import os, sys; os.execv(sys.executable, [sys.executable, %r])' % path
    return subprocess.Popen([sys.executable, '-c', launcher], cwd=workdir, env=env, stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def kill(proc):
    """Kill the process group of a process started here (its pgid is its own pid)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    out, err = proc.communicate(timeout=5)
    return out.decode(errors='replace'), err.decode(errors='replace')


def bound_addresses(port, kind):
    """Local addresses listening on `port`, from /proc/net (TCP LISTEN / UDP unconnected)."""
    names, state = (('tcp', 'tcp6'), '0A') if kind == socket.SOCK_STREAM else (('udp', 'udp6'), '07')
    found = []
    for name in names:
        try:
            with open('/proc/net/' + name) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            address, hexport = fields[1].split(':')
            if int(hexport, 16) != port or fields[3] != state:
                continue
            if len(address) == 8:
                found.append(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
            else:
                found.append('::' if int(address, 16) == 0 else 'ipv6:' + address)
    return found


# ------------------------------------------------------- trusted probe client

def udp_probe(port, message):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(PROBE_TIMEOUT)
        try:
            s.sendto(message.encode(), (LOOPBACK, port))
            return s.recvfrom(65535)[0]
        except socket.timeout:
            return 'no reply'
        except OSError as e:
            return type(e).__name__


def tcp_probe(port, message):
    data = message.encode()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(PROBE_TIMEOUT)
        reply = b''
        try:
            s.connect((LOOPBACK, port))
            s.sendall(data)
            while len(reply) < len(data):  # as the reference client: wait for as many bytes
                chunk = s.recv(65535)
                if not chunk:
                    break
                reply += chunk
        except socket.timeout:
            return reply or 'no reply'
        except OSError as e:
            return reply or type(e).__name__
        return reply


def judge(message, reply):
    if reply == message.upper().encode():
        return True, 'ok'
    if isinstance(reply, str):
        return False, reply
    if len(reply) != len(message):
        return False, 'got %d of %d bytes' % (len(reply), len(message))
    return False, 'got %r' % reply[:40]


def check_server(student, program, workdir):
    kind = socket.SOCK_DGRAM if program.startswith('UDP') else socket.SOCK_STREAM
    probe = udp_probe if kind == socket.SOCK_DGRAM else tcp_probe
    port = free_port(kind)
    proc = start(prepared(student, program, port, workdir), port, workdir)
    results = {}
    try:
        deadline = time.monotonic() + 3
        while not bound_addresses(port, kind) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        addresses = bound_addresses(port, kind)
        if not addresses:
            results = {c: (False, 'not listening') for c in SERVER_CHECKS}
        else:
            results['uppercase'] = judge(MESSAGE, probe(port, MESSAGE))
            again = [judge(MESSAGE, probe(port, MESSAGE)) for _ in range(2)]
            results['repeated'] = (all(ok for ok, _ in again), ', '.join(w for _, w in again))
            results['long'] = judge(LONG_MESSAGE, probe(port, LONG_MESSAGE))
            with concurrent.futures.ThreadPoolExecutor(3) as pool:
                at_once = list(pool.map(lambda i: judge('%s %d' % (MESSAGE, i), probe(port, '%s %d' % (MESSAGE, i))), range(3)))
            results['at_once'] = (all(ok for ok, _ in at_once), ', '.join(w for _, w in at_once))
            try:  # a server that closed its socket may still be shutting down
                proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
            alive = proc.poll() is None
            results['alive'] = (alive, 'running' if alive else 'exited with %s' % proc.returncode)
            loopback_only = all(a.startswith('127.') or a == 'ipv6:' + '0' * 31 + '1' for a in addresses)
            results['all_interfaces'] = (not loopback_only, 'bound to ' + ', '.join(addresses)
                                         + (' (unreachable from another host)' if loopback_only else ''))
    finally:
        code = proc.poll()
        out, err = kill(proc)
    if out.strip():
        said = 'printed %r' % out.splitlines()[0]
    else:
        said = 'no output' + ('; exited %s: %s' % (code, last_line('', err)) if code is not None else '')
    results['ready'] = ('ready' in out.lower(), said)
    return results


# ------------------------------------------------------ trusted servers

class ReferenceServers:
    """Uppercase servers, a silent UDP socket, a never-accepting TCP listener, a closed port."""

    def __init__(self):
        self.sockets = []
        self.udp = self._udp_upper()
        self.tcp = self._tcp_upper()
        silent_udp = self._socket(socket.SOCK_DGRAM)  # receives, never reads, never answers
        silent_tcp = self._socket(socket.SOCK_STREAM)
        silent_tcp.listen(128)  # the kernel completes the handshake; nobody ever answers
        self.silent = {'UDP': silent_udp.getsockname()[1], 'TCP': silent_tcp.getsockname()[1]}
        self.closed = {'UDP': free_port(socket.SOCK_DGRAM), 'TCP': free_port(socket.SOCK_STREAM)}

    def _socket(self, kind):
        s = socket.socket(socket.AF_INET, kind)
        s.bind((LOOPBACK, 0))
        self.sockets.append(s)
        return s

    def _udp_upper(self):
        s = self._socket(socket.SOCK_DGRAM)

        def serve():
            while True:
                try:
                    message, address = s.recvfrom(65535)
                    s.sendto(message.upper(), address)
                except OSError:
                    return
        threading.Thread(target=serve, daemon=True).start()
        return s.getsockname()[1]

    def _tcp_upper(self):
        s = self._socket(socket.SOCK_STREAM)
        s.listen(16)

        def handle(conn):
            with conn:
                conn.settimeout(5)
                try:
                    for chunk in iter(lambda: conn.recv(65535), b''):
                        conn.sendall(chunk.upper())
                except OSError:
                    pass

        def serve():
            while True:
                try:
                    conn, _ = s.accept()
                except OSError:
                    return
                threading.Thread(target=handle, args=(conn,), daemon=True).start()
        threading.Thread(target=serve, daemon=True).start()
        return s.getsockname()[1]

    def close(self):
        for s in self.sockets:
            s.close()


# ------------------------------------------------------ student clients

def run_client(student, program, port, workdir):
    proc = start(prepared(student, program, port, workdir), port, workdir, stdin=subprocess.PIPE)
    began = time.monotonic()
    try:
        proc.stdin.write((MESSAGE + '\n').encode())
        proc.stdin.close()
    except OSError:
        pass
    proc.stdin = None  # closed: communicate() must not touch it
    try:
        proc.wait(timeout=HARD_KILL)
    except subprocess.TimeoutExpired:
        pass
    elapsed = time.monotonic() - began
    code = proc.poll()
    out, err = kill(proc)
    return code, elapsed, out, err


def last_line(out, err):
    lines = (err.strip() or out.strip()).splitlines()
    return lines[-1][:90] if lines else 'no output'


def check_client(student, program, servers, workdir):
    proto = program[:3]
    results = {}
    code, elapsed, out, err = run_client(student, program, servers.udp if proto == 'UDP' else servers.tcp, workdir)
    if code != 0:
        results = {c: (False, 'exit %s after %.1f s: %s' % (code, elapsed, last_line(out, err)))
                   for c in ('reply', 'rtt', 'timestamps')}
    else:
        rtt = re.search(r'RTT\W*[:=]?\s*\d+(\.\d+)?(e-?\d+)?\s*(ms|s|sec|seconds|milliseconds|us|µs)\b', out, re.I)
        times = re.findall(r'\b\d{1,2}:\d{2}:\d{2}\b', out)
        results['reply'] = (MESSAGE.upper() in out, 'output has %r' % MESSAGE.upper() if MESSAGE.upper() in out
                            else 'no %r in %r' % (MESSAGE.upper(), out.strip()[-60:]))
        results['rtt'] = (bool(rtt), rtt.group(0) if rtt else 'no RTT with a unit')
        results['timestamps'] = (len(times) >= 2, '%d clock times: %s' % (len(times), ', '.join(times)))
    for check, port in (('no_hang_closed', servers.closed[proto]), ('no_hang_silent', servers.silent[proto])):
        code, elapsed, out, err = run_client(student, program, port, workdir)
        if code is None:
            results[check] = (False, 'HUNG, killed after %.0f s' % HARD_KILL)
        else:
            results[check] = (code != 0, 'exit %s after %.1f s: %s' % (code, elapsed, last_line(out, err)))
    return results


# ------------------------------------------------------------------ main

def check_submission(student, servers):
    workdir = tempfile.mkdtemp(prefix='netlab-selfcheck-')
    report, mismatches = [student], 0
    try:
        for program in ('UDPServer.py', 'TCPServer.py', 'UDPClient.py', 'TCPClient.py'):
            if (student, program) in SKIP:
                report.append('  %-13s SKIPPED (%s)' % (program, SKIP[(student, program)]))
                continue
            if program.endswith('Server.py'):
                results, order = check_server(student, program, workdir), SERVER_CHECKS
            else:
                results, order = check_client(student, program, servers, workdir), CLIENT_CHECKS
            expected_failures = EXPECTED.get(student, {}).get(program, set())
            report.append('  ' + program)
            for check in order:
                ok, what = results[check]
                as_expected = ok != (check in expected_failures)
                mismatches += not as_expected
                report.append('    %-4s %-15s %s%s' % ('pass' if ok else 'FAIL', check, what,
                                                        '' if as_expected else '   <-- UNEXPECTED'))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return '\n'.join(report), mismatches


def main():
    students = sys.argv[1:] or sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d))
                                      and not d.startswith(('.', '_')))
    servers = ReferenceServers()
    try:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            outcomes = list(pool.map(lambda s: check_submission(s, servers), students))
    finally:
        servers.close()
    for text, _ in outcomes:
        print(text)
    total = sum(m for _, m in outcomes)
    print('\n%d submission(s), %s' % (len(students), 'every check as expected' if total == 0
                                      else '%d check(s) NOT as expected' % total))
    return 1 if total else 0


if __name__ == '__main__':
    sys.exit(main())
