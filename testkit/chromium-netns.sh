#!/bin/sh
# Chromium in a network namespace of its own (testkit/browser.ts launches it through this file).
#
# Chromium watches the machine's interfaces and, when an address appears or goes, fails the requests it is making
# with net::ERR_NETWORK_CHANGED. The isolated test hosts add and remove an address in the machine's namespace each
# time one starts or stops, so console tests running beside host tests lost script and API requests at random.
# Here Chromium sees only interfaces that never change: its loopback and one veth pair (without it Chromium
# counts itself offline). It reaches Steward through a SOCKS proxy on its own loopback, a relay that carries each
# connection over the Unix socket STEWARD_BROWSER_BRIDGE to the test process, which connects it to the target.
set -eu
: "${STEWARD_BROWSER_BRIDGE:?is the Unix socket of the test process’s proxy}"
: "${STEWARD_CHROMIUM_REAL:?is the Chromium binary}"
: "${STEWARD_NODE:?is the node binary that runs the relay}"
if ! unshare --net true 2>/dev/null; then
  echo "chromium-netns.sh: cannot make a network namespace (unshare --net needs root, as the test hosts do)" >&2
  exit 1
fi
exec unshare --net -- sh -c '
  set -e
  # No IPv6 here: a link that comes up gets a link-local address that turns from tentative to usable about a second
  # later, an address change Chromium, started by then, would fail its first requests over.
  for _f in /proc/sys/net/ipv6/conf/default/disable_ipv6 /proc/sys/net/ipv6/conf/all/disable_ipv6; do
    if [ -w "$_f" ]; then echo 1 >"$_f"; fi
  done
  ip link set lo up
  ip link add stwb0 type veth peer name stwb1
  ip addr add 192.0.2.1/24 dev stwb0
  ip link set stwb0 up
  ip link set stwb1 up
  # The kernel reports a link up a moment after it is set up; Chromium must start after that, not see it happen.
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    ip -o link show dev stwb0 | grep -q "state UP" && break
    sleep 0.1
  done
  # The relay: SOCKS port 1080 of this namespace to the bridge. It ends when Chromium (its parent, after the exec
  # below) does.
  "$STEWARD_NODE" -e "
    const net = require(\"node:net\");
    const parent = process.ppid;
    net.createServer((c) => {
      const u = net.connect(process.env.STEWARD_BROWSER_BRIDGE);
      c.on(\"error\", () => u.destroy());
      u.on(\"error\", () => c.destroy());
      c.pipe(u).pipe(c);
    }).listen(1080, \"127.0.0.1\");
    setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 500);
  " &
  # Chromium may ask before the relay listens: wait for the port (a second at most).
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    grep -q ":0438 00000000:0000 0A" /proc/net/tcp && break
    sleep 0.1
  done
  exec "$STEWARD_CHROMIUM_REAL" "$@"
' chromium-netns "$@"
