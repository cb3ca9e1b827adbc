/**
 * Sections about the machine itself: identity, operating system, packages, services, listening ports,
 * processes and performance figures. Each is one shell function named `s_<section>`.
 */
const D = '$';

export const SYSTEM_SECTIONS = String.raw`
s_identity() {
  tx hostname
  hostname 2>/dev/null || cat /proc/sys/kernel/hostname
  tx fqdn
  t 5 hostname -f
  tx machine-id
  cat /etc/machine-id 2>/dev/null || cat /var/lib/dbus/machine-id
  if have ip; then tx ip-addr; ip -o addr show
  elif have ifconfig; then tx ifconfig; ifconfig -a
  fi
}

s_os() {
  for _f in /etc/os-release /usr/lib/os-release; do
    if [ -r "$_f" ]; then fe os-release "$_f"; break; fi
  done
  for _f in /etc/debian_version /etc/redhat-release /etc/alpine-release; do fe release "$_f"; done
  tx uname
  uname -s; uname -r; uname -m
  tx uptime
  cat /proc/uptime
  tx virt
  if have systemd-detect-virt; then printf 'detect-virt=%s\n' "$(systemd-detect-virt 2>/dev/null)"; fi
  [ -f /.dockerenv ] && echo 'marker=docker'
  [ -f /run/.containerenv ] && echo 'marker=podman'
  [ -r /proc/1/environ ] && tr '\0' '\n' </proc/1/environ | grep '^container='
  for _f in sys_vendor product_name; do
    [ -r "/sys/class/dmi/id/$_f" ] && printf 'dmi-%s=%s\n' "$_f" "$(cat "/sys/class/dmi/id/$_f")"
  done
  grep -qE '^flags.* hypervisor( |$)' /proc/cpuinfo && echo 'cpu-flag=hypervisor'
}

s_packages() {
  if have dpkg-query; then
    tx dpkg
    t 60 dpkg-query -W -f='${D}{Status}\t${D}{Package}\t${D}{Version}\t${D}{Architecture}\n'
  fi
  if have rpm; then
    tx rpm
    t 60 rpm -qa --qf '%{NAME}\t%{EPOCH}\t%{VERSION}-%{RELEASE}\t%{ARCH}\n'
  fi
  if [ -r /lib/apk/db/installed ]; then tx apk-db; grep -E '^[PVA]:' /lib/apk/db/installed
  elif have apk; then tx apk-info; t 60 apk info -v
  fi
}

s_services() {
  _u=
  if have systemctl; then
    _u=$(t "$TSEC" systemctl list-units --type=service --all --no-legend --no-pager --plain 2>/dev/null)
  fi
  if [ -n "$_u" ]; then
    tx systemd-units; printf '%s\n' "$_u"
    tx systemd-unit-files; t "$TSEC" systemctl list-unit-files --type=service --no-legend --no-pager
  elif have rc-status; then
    tx openrc-status; t "$TSEC" rc-status -a
    if have rc-update; then tx openrc-update; t "$TSEC" rc-update show -v; fi
  elif have service; then
    tx sysv-status; t "$TSEC" service --status-all 2>&1
  fi
}

s_ports() {
  if have ss; then tx ss; t "$TSEC" ss -tulpn
  elif have netstat; then tx netstat; t "$TSEC" netstat -tulpn 2>/dev/null || t "$TSEC" netstat -tuln
  else
    for _f in /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6; do
      [ -r "$_f" ] && { tx "proc-net $_f"; cat "$_f"; }
    done
  fi
}

s_processes() {
  if ps -eo pid=,ppid=,uid=,pcpu=,pmem=,rss=,comm= >/dev/null 2>&1; then
    tx ps-procps; ps -eo pid=,ppid=,uid=,pcpu=,pmem=,rss=,comm= | head -n 3000
    tx ps-args; ps -eo pid=,args= | head -n 3000
  else
    tx ps-busybox; ps -o pid,ppid,user,rss,args | head -n 3000
    if have top; then tx top-busybox; t 10 top -b -n 1 | head -n 80; fi
  fi
}

s_performance() {
  tx loadavg; cat /proc/loadavg
  tx cpu
  printf 'count=%s\n' "$(nproc 2>/dev/null || grep -c '^processor' /proc/cpuinfo)"
  grep -m1 -iE '^(model name|cpu model|hardware)[[:space:]]*:' /proc/cpuinfo
  tx meminfo; cat /proc/meminfo
  tx df; t 10 df -P -k
}
`;
