/**
 * Sections about the machine itself: identity, operating system, packages, services, listening ports,
 * processes and performance figures. Each is one shell function named `s_<section>`.
 */
const D = '$';

/**
 * The one-run procps format. Every number has a width it will not outgrow: a value wider than procps's default
 * column (an RSS of 100 MB and more, a CPU share past 99.9 %) would take a blank from the padding after it, and the
 * command name would no longer end at a known column.
 */
export const PROCPS_WIDE_FORMAT = 'pid:10=,ppid:10=,uid:10=,pcpu:8=,pmem:6=,rss:12=,comm:15=,args=';

export const SYSTEM_SECTIONS = String.raw`
# hostsname NAME [ROOT]: what hostname -f answers for NAME where /etc/hosts decides it, read by the shell: the
# resolver reads the file first (nsswitch.conf's hosts line starts with files), and the first line naming NAME gives
# the first name on it. Fails, for hostname -f to ask the resolver itself, where that does not hold or a name in the
# file has capitals (the resolver ignores case; the shell's comparison does not). ROOT stands in for / in tests only.
hostsname() {
  _hn=$1
  _src=
  [ -r "${D}{2:-}/etc/nsswitch.conf" ] && [ -r "${D}{2:-}/etc/hosts" ] || return 1
  while read -r _k _v _x; do
    case $_k in hosts:) _src=$_v; break ;; hosts:*) _src=${D}{_k#hosts:}; break ;; esac
  done <"${D}{2:-}/etc/nsswitch.conf"
  [ "$_src" = files ] || return 1
  case $_hn in ''|*[A-Z]*) return 1 ;; esac
  set -f
  while read -r _a _ns; do
    case $_a in ''|\#*|*[!0-9A-Fa-f.:]*) continue ;; esac
    _ns=${D}{_ns%%#*}
    case $_ns in *[A-Z]*) set +f; return 1 ;; esac
    # shellcheck disable=SC2086
    set -- $_ns
    for _n; do
      [ "$_n" = "$_hn" ] || continue
      printf '%s\n' "$1"
      set +f
      return 0
    done
  done <"${D}{2:-}/etc/hosts"
  set +f
  return 1
}

s_identity() {
  tx hostname
  _h=
  if [ -r /proc/sys/kernel/hostname ]; then read -r _h </proc/sys/kernel/hostname; printf '%s\n' "$_h"
  else hostname 2>/dev/null
  fi
  tx fqdn
  hostsname "$_h" || t 5 hostname -f
  tx machine-id
  for _f in /etc/machine-id /var/lib/dbus/machine-id; do [ -s "$_f" ] && { rd "$_f"; break; }; done
  if have ip; then tx ip-addr; ip -o addr show
  elif have ifconfig; then tx ifconfig; ifconfig -a
  fi
}

s_os() {
  # $1 stands in for / only when a test runs this function against a tree of fixtures; discovery passes nothing.
  _r=${D}{1:-}
  # Every release file there is, read by the shell itself (no process per file): os-release, the
  # distributions' *-release / *_version files, /etc/release and /etc/product of Solaris and illumos, and the
  # userland version line of FreeBSD's freebsd-version script (read, never run).
  for _f in "$_r"/etc/*[-_]release "$_r"/etc/*[-_]version "$_r"/usr/lib/os-release "$_r"/etc/release \
            "$_r"/etc/product "$_r"/bin/freebsd-version; do
    [ -f "$_f" ] && [ -r "$_f" ] || continue
    _p=${D}{_f#"$_r"}
    okpath "$_p" || continue
    # /etc/os-release is most often a link to it; read it again only when that one is empty.
    case $_p in /usr/lib/os-release) [ -s "$_r/etc/os-release" ] && continue ;; esac
    tx "osfile $_p"
    _n=0
    while [ "$_n" -lt 60 ] && { IFS= read -r _l || [ -n "$_l" ]; }; do
      case $_p in /bin/freebsd-version) case $_l in USERLAND_VERSION=*) ;; *) continue ;; esac ;; esac
      printf '%s\n' "$_l"
      _n=$((_n + 1))
    done <"$_f"
  done
  tx uname-srvm
  # What uname -srvm prints, from the kernel's own files where Linux has all four (kernel.arch since 6.1).
  _o= _k= _v= _m=
  _d=$_r/proc/sys/kernel
  if [ -r "$_d/arch" ] && read -r _o <"$_d/ostype" && read -r _k <"$_d/osrelease" && read -r _v <"$_d/version" &&
    read -r _m <"$_d/arch" && [ -n "$_o" ] && [ -n "$_k" ] && [ -n "$_m" ]; then
    printf '%s %s %s %s\n' "$_o" "$_k" "$_v" "$_m"
  else
    uname -srvm
  fi
  tx uptime
  [ -r /proc/uptime ] && rd /proc/uptime
  tx virt
  _v=
  if have systemd-detect-virt; then _v=$(systemd-detect-virt 2>/dev/null); printf 'detect-virt=%s\n' "$_v"; fi
  # Where it names one, systemd-detect-virt's answer is the one the parser takes: the other hints (two processes
  # for the init's environment) would change nothing.
  case $_v in ''|none) ;; *) return 0 ;; esac
  [ -f /.dockerenv ] && echo 'marker=docker'
  [ -f /run/.containerenv ] && echo 'marker=podman'
  [ -r /proc/1/environ ] && tr '\0' '\n' </proc/1/environ | grep '^container='
  for _f in sys_vendor product_name; do
    [ -r "/sys/class/dmi/id/$_f" ] && read -r _v <"/sys/class/dmi/id/$_f" && printf 'dmi-%s=%s\n' "$_f" "$_v"
  done
  while read -r _k _v; do
    case $_k in flags) case " $_v " in *' hypervisor '*) echo 'cpu-flag=hypervisor' ;; esac; break ;; esac
  done </proc/cpuinfo
}

s_packages() {
  if have dpkg-query; then
    tx dpkg
    dpkg-query -W -f='${D}{Status}\t${D}{Package}\t${D}{Version}\t${D}{Architecture}\n'
  fi
  if have rpm; then
    tx rpm
    t 60 rpm -qa --qf '%{NAME}\t%{EPOCH}\t%{VERSION}-%{RELEASE}\t%{ARCH}\n'
  fi
  if [ -r /lib/apk/db/installed ]; then tx apk-db; grep -E '^[PVA]:' /lib/apk/db/installed
  elif have apk; then tx apk-info; apk info -v
  fi
}

s_services() {
  _u=
  # systemctl answers only where systemd is the running init (its test: /run/systemd/system); elsewhere (a
  # container, another init) it fails, and asking costs two processes.
  if have systemctl && [ -d /run/systemd/system ]; then
    _u=$(t "$TSEC" systemctl list-units --type=service --all --no-legend --no-pager --plain 2>/dev/null)
  fi
  if [ -n "$_u" ]; then
    tx systemd-units; printf '%s\n' "$_u"
    tx systemd-unit-files; t "$TSEC" systemctl list-unit-files --type=service --no-legend --no-pager
  elif have rc-status; then
    tx openrc-status; t "$TSEC" rc-status -a
    if have rc-update; then tx openrc-update; t "$TSEC" rc-update show -v; fi
  elif [ -d /etc/init.d ]; then
    # SysV: state from the service's pid file, not by running its init script (status scripts start many
    # processes and some take seconds); LSB codes: 0 running, 3 stopped (stale or no pid), 4 unknown.
    tx sysv-lsb
    for _s in /etc/init.d/*; do
      _n=${D}{_s##*/}
      case $_n in README|skeleton|rc|rcS|halt|reboot|single|sendsigs|umount*) continue ;; esac
      [ -f "$_s" ] && [ -x "$_s" ] || continue
      _e=0
      for _l in /etc/rc2.d/S??"$_n" /etc/rc3.d/S??"$_n" /etc/rc5.d/S??"$_n"; do [ -e "$_l" ] && _e=1; done
      _c=4
      for _p in /run/"$_n".pid /run/"$_n"/"$_n".pid /var/run/"$_n".pid /run/"$_n"d.pid /run/"$_n"/pid; do
        [ -r "$_p" ] || continue
        _c=3; _pid=
        read -r _pid <"$_p" 2>/dev/null
        case $_pid in ''|*[!0-9]*) ;; *) [ -d "/proc/$_pid" ] && _c=0 ;; esac
        break
      done
      printf '%s %s %s\n' "$_c" "$_n" "$_e"
    done
  fi
}

s_ports() {
  if have ss; then tx ss; ss -tulpn
  elif have netstat; then tx netstat; netstat -tulpn 2>/dev/null || netstat -tuln
  else
    for _f in /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6; do
      [ -r "$_f" ] && { tx "proc-net $_f"; rd "$_f"; }
    done
  fi
}

s_processes() {
  # procps answers -o lists (in one run where it knows column widths); busybox's ps refuses them, printing nothing.
  _o=$(ps -eo ${PROCPS_WIDE_FORMAT} 2>/dev/null)
  if [ -n "$_o" ]; then
    tx ps-procps-wide
    # Every line is at least 78 bytes (the fixed widths), so a shorter output cannot pass 3000 lines: no head.
    if [ ${D}{#_o} -lt 234000 ]; then printf '%s\n' "$_o"; else printf '%s\n' "$_o" | head -n 3000; fi
  elif _o=$(ps -eo pid=,ppid=,uid=,pcpu=,pmem=,rss=,comm= 2>/dev/null) && [ -n "$_o" ]; then
    tx ps-procps; printf '%s\n' "$_o" | head -n 3000
    tx ps-args; ps -eo pid=,args= | head -n 3000
  else
    tx ps-busybox; ps -o pid,ppid,user,rss,args | head -n 3000
    if have top; then tx top-busybox; t 10 top -b -n 1 | head -n 80; fi
  fi
}

s_performance() {
  tx loadavg; rd /proc/loadavg
  tx cpu
  # One pass of the shell over cpuinfo: the processors and the first model line.
  _n=0
  _m=
  while IFS= read -r _l; do
    case $_l in
      processor*:*) _n=$((_n + 1)) ;;
      [Mm]odel\ name*:*|[Cc]pu\ model*:*|[Hh]ardware*:*) [ -n "$_m" ] || _m=$_l ;;
    esac
  done </proc/cpuinfo
  [ "$_n" -gt 0 ] || _n=$(nproc 2>/dev/null)
  printf 'count=%s\n' "$_n"
  [ -n "$_m" ] && printf '%s\n' "$_m"
  tx meminfo; rd /proc/meminfo
  tx df; t 10 df -P -k
}
`;
