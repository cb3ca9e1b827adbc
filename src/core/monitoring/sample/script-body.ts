/**
 * The body of the sampling script (POSIX sh, also dash and busybox ash). Written with String.raw so
 * backslashes reach the shell as typed; `${D}` stands for a literal `$` where the shell needs `${`.
 * Variables it relies on (B, MAXLOG, INTEGRITY, CANDIDATES, WATCHED, POOLS, OUTBOUND) and `follow_all` are written
 * by script.ts from validated numbers and constants.
 */
const D = '$';

/**
 * The busiest processes (15) by CPU share over their lifetime, printed as `P pid ppid user etimes time pcpu rss
 * args` and `C comm` lines (parse-system.ts). An awk program for `awk -v S=<shell pid> "$TOP_AWK" /proc/[0-9]*`:
 * works with gawk, mawk and busybox awk; holds no single quote (the body quotes it with them).
 */
export const TOP_AWK = String.raw`
function own(p,  d) { for (d = 0; d < 64 && p > 1; d++) { if (p == S) return 1; p = par[p] } return 0 }
function swap(x, y,  t) {
  t = pid[x]; pid[x] = pid[y]; pid[y] = t; t = pc[x]; pc[x] = pc[y]; pc[y] = t
  t = cpu[x]; cpu[x] = cpu[y]; cpu[y] = t; t = et[x]; et[x] = et[y]; et[y] = t
  t = cm[x]; cm[x] = cm[y]; cm[y] = t
}
function names(  l, a) {
  while ((getline l < "/etc/passwd") > 0) { split(l, a, ":"); if (!(a[3] in nm)) nm[a[3]] = a[1] }
  close("/etc/passwd"); named = 1
}
function show(k,  f, l, a, u, r, s, t, p) {
  p = pid[k]; u = ""; r = 0; s = ""
  f = "/proc/" p "/status"
  while ((getline l < f) > 0) {
    if (l ~ /^Uid:/) { split(l, a); u = a[3] } else if (l ~ /^VmRSS:/) { split(l, a); r = a[2] }
  }
  close(f)
  if (u == "") return 0
  if (!named) names()
  if (u in nm) u = nm[u]
  f = "/proc/" p "/cmdline"
  while ((getline l < f) > 0) { if (Z != "") gsub(Z, " ", l); s = s (s == "" ? "" : " ") l }
  close(f)
  sub(/ +$/, "", s)
  if (s == "") s = "[" cm[k] "]"
  gsub(/[[:cntrl:]]/, "?", s)
  t = int(cpu[k])
  t = sprintf("%02d:%02d:%02d", int(t % 86400 / 3600), int(t % 3600 / 60), t % 60)
  if (cpu[k] >= 86400) t = int(cpu[k] / 86400) "-" t
  printf "P %d %d %s %d %s %.1f %d %s\nC %s\n", p, par[p], u, et[k], t, pc[k], r, s, cm[k]
  return 1
}
BEGIN {
  Z = sprintf("%c", 0)
  if ((getline l < "/proc/uptime") <= 0) exit 1
  close("/proc/uptime"); split(l, a, " "); up = a[1] + 0
  for (i = 1; i < ARGC; i++) {
    f = ARGV[i] "/stat"
    if ((getline l < f) <= 0) { close(f); continue }
    close(f)
    o = index(l, "("); r = l; sub(/^.*\) /, "", r)
    if (o < 2 || r == l) continue
    split(r, a, " ")
    n++; pid[n] = substr(l, 1, o - 2) + 0; par[pid[n]] = a[2] + 0
    c = substr(l, o + 1, length(l) - length(r) - o - 2); gsub(/[[:cntrl:]]/, "?", c); cm[n] = c
    cpu[n] = (a[12] + a[13]) / 100; et[n] = int(up - a[20] / 100); if (et[n] < 0) et[n] = 0
    pc[n] = et[n] > 0 ? int(cpu[n] * 1000 / et[n]) / 10 : 0
  }
  for (k = 1; k <= n && shown < 15; k++) {
    b = k
    for (j = k + 1; j <= n; j++) if (pc[j] > pc[b]) b = j
    swap(k, b)
    if (!own(pid[k])) shown += show(k)
  }
}
`;

export const SAMPLE_BODY = String.raw`
LC_ALL=C
export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${D}{PATH:-}
export PATH
umask 077
cd / || exit 1

have() { command -v "$1" >/dev/null 2>&1; }
mk() { printf '\n@@%s %s\n' "$B" "$*"; }
tx() { mk text "$*"; }
# A file copied with built-ins (no process started).
cf() { [ -r "$1" ] || return 0; while IFS= read -r _l || [ -n "$_l" ]; do printf '%s\n' "$_l"; done < "$1"; }
lim() { if have timeout; then timeout "$@"; else shift; "$@"; fi; }

s_proc() {
  tx stat
  while IFS= read -r _l; do case $_l in cpu*|procs_*|btime*) printf '%s\n' "$_l" ;; esac; done < /proc/stat
  tx meminfo
  while IFS= read -r _l; do
    case $_l in MemTotal:*|MemFree:*|MemAvailable:*|Buffers:*|Cached:*|SReclaimable:*|SwapTotal:*|SwapFree:*) printf '%s\n' "$_l" ;; esac
  done < /proc/meminfo
  tx loadavg; cf /proc/loadavg
  tx uptime; cf /proc/uptime
  tx diskstats; cf /proc/diskstats
  tx netdev; cf /proc/net/dev
  tx nprocs; nprocs
}
nprocs() { set -- /proc/[0-9]*; echo "$#"; }

# Local file systems only (no wait on a dead network mount); all of them under a time limit where -l is unknown.
s_disks() {
  tx df
  df -P -k -l 2>/dev/null || lim 10 df -P -k 2>/dev/null
}

# The busiest processes (TOP_AWK, above: about half what ps and head cost the host); without awk, ps as before.
TOP_AWK='${TOP_AWK}'

s_procs() {
  tx ps
  if have awk && [ -r /proc/self/stat ]; then
    awk -v S="$1" "$TOP_AWK" /proc/[0-9]*
    return 0
  fi
  _ps=$(ps -eww -o pid=,ppid=,user=,etimes=,time=,pcpu=,rss=,args= --sort=-pcpu 2>/dev/null | head -n 15)
  while read -r _p _rest; do
    [ -n "$_p" ] || continue
    _c=; read -r _c < "/proc/$_p/comm" 2>/dev/null
    printf 'P %s %s\nC %s\n' "$_p" "$_rest" "$_c"
  done <<STEWARD_PS
$_ps
STEWARD_PS
}

# One ss call (each call walks every process's descriptors for -p): listening sockets (their peer port is 0)
# and connections to mining pools and to ports attackers scan, told apart by the parser. With SOCKP=0 the
# listing comes without processes (sockets-bare: Steward knows them from an earlier listing, sockets.ts). netstat
# lists only what listens, on a host without ss.
s_net() {
  _f="( dport = :0 or $POOLS or $OUTBOUND )"
  if [ "${D}{SOCKP:-1}" = 0 ]; then
    tx sockets-bare
    ss -tuna state listening state closed state established state syn-sent "$_f" && return 0
  fi
  tx sockets
  ss -tunap state listening state closed state established state syn-sent "$_f" && return 0
  tx listen
  netstat -ltunp
}
# The sockets again, with their processes, when a bare listing showed one Steward did not know.
net_only() { mk section net; s_net 2>/dev/null; mk end net; mk done; }

# Who may act as root: uid-0 accounts and admin groups (from passwd and group, without the GECOS field, which
# holds people's names), sudoers rules without comments, and every account's authorized keys.
s_access() {
  tx passwd
  while IFS=: read -r _n _x _u _g _gecos _h _s; do printf '%s:%s:%s:%s\n' "$_n" "$_u" "$_g" "$_h"; done < /etc/passwd
  tx groups
  while IFS= read -r _l; do case $_l in sudo:*|wheel:*|admin:*) printf '%s\n' "$_l" ;; esac; done < /etc/group
  for _f in /etc/sudoers /etc/sudoers.d/*; do
    [ -f "$_f" ] && [ -r "$_f" ] || continue
    tx sudoers "$_f"
    while IFS= read -r _l || [ -n "$_l" ]; do
      case $_l in '#include'*|'@include'*) printf '%s\n' "$_l" ;; '#'*|'') ;; *) printf '%s\n' "$_l" ;; esac
    done < "$_f"
  done
  while IFS=: read -r _n _x _u _g _gecos _h _s; do
    for _f in "$_h/.ssh/authorized_keys" "$_h/.ssh/authorized_keys2"; do
      [ -n "$_h" ] && [ -f "$_f" ] && [ -r "$_f" ] || continue
      tx ak "$_n" "$_f"
      cf "$_f"
    done
  done < /etc/passwd
}

s_integrity() {
  _w=
  for _f in $WATCHED; do [ -f "$_f" ] && _w="$_w $_f"; done
  [ -n "$_w" ] || return 0
  tx sha256; sha256sum $_w 2>/dev/null
  tx md5; md5sum $_w 2>/dev/null
  tx real; for _f in $_w; do printf '%s %s\n' "$_f" "$(readlink -f "$_f" 2>/dev/null)"; done
  if [ -d /var/lib/dpkg/info ]; then
    tx dpkg
    grep -h -E ' (usr/)?s?bin/[a-z]+$' /var/lib/dpkg/info/*.md5sums 2>/dev/null | grep -E '/(sshd|sudo|su|passwd|login|ssh|ps|ls|top|ss|netstat|crontab|cron|bash|find)$'
  fi
  if have rpm; then tx rpmv; rpm -Vf $_w 2>/dev/null; fi
}

# follow IDX PATH INODE OFFSET: the bytes of one log after OFFSET. A new inode means the log was rotated:
# the old file's tail is read from where it was renamed to (PATH.1, or the newest PATH-DATE), then the new
# file from its start. A file shorter than OFFSET was truncated in place; it is read from its start.
follow() {
  lookup "$2"
  if [ -z "$_ino" ]; then tx "log $1 missing"; return 0; fi
  if [ "$3" != 0 ] && [ "$_ino" != "$3" ]; then
    _r=
    for _c in "$2.1" "$2"-[0-9]*; do
      case $_c in *.gz|*.xz|*.bz2|*.zst) continue ;; esac
      [ -f "$_c" ] && [ "$(stat -L -c %i -- "$_c" 2>/dev/null)" = "$3" ] && _r=$_c
    done
    if [ -n "$_r" ]; then chunk "$1" rotated "$3" "$4" "$_r"; else tx "log $1 lost $3"; fi
    chunk "$1" current "$_ino" 0 "$2"
  elif [ "$_size" -lt "$4" ]; then chunk "$1" truncated "$_ino" 0 "$2"
  elif [ "$_size" -gt "$4" ] || [ "$3" = 0 ]; then chunk "$1" current "$_ino" "$4" "$2"
  else tx "log $1 same $_ino $_size"
  fi
}
chunk() {
  tx "chunk $1 $2 $3 $4"
  tail -c +$(($4 + 1)) -- "$5" 2>/dev/null | head -c "$MAXLOG" | base64
}
lookup() {
  _ino=; _size=
  while read -r _a _b _c; do [ "$_c" = "$1" ] && { _ino=$_a; _size=$_b; return 0; }; done <<STEWARD_STAT
$_st
STEWARD_STAT
}

# The quick sections are printed in one write (a command substitution holds them): written line by line they
# would reach Steward as about a hundred SSH packets, each costing both ends. The integrity hashes (slower) come
# as a second piece, so a sample that runs out of time still has its figures; log bytes are written as read.
quick() {
  mk meta version 2
  # The uid from /proc (no process started), or from id where /proc has no status.
  _uid=
  while read -r _k _r _e _x; do case $_k in Uid:) _uid=$_e; break ;; esac; done < /proc/self/status 2>/dev/null
  mk meta privilege "${D}{_uid:-$(id -u)}"
  mk meta shell "$1"
  mk section proc; s_proc 2>/dev/null; mk end proc
  mk section disks; s_disks 2>/dev/null; mk end disks
  mk section procs; s_procs "$1" 2>/dev/null; mk end procs
  mk section net; s_net 2>/dev/null; mk end net
  mk section access; s_access 2>/dev/null; mk end access
}
main() {
  _o=$(quick "$$"); printf '%s\n' "$_o"
  if [ "$INTEGRITY" = 1 ]; then
    _o=$(mk section integrity; s_integrity 2>/dev/null; mk end integrity); printf '%s\n' "$_o"
  fi
  _st=$(stat -L -c '%i %s %n' -- $CANDIDATES "$@" 2>/dev/null)
  printf '\n@@%s section logs\n\n@@%s text logstat\n%s\n' "$B" "$B" "$_st"
  follow_all "$@" 2>/dev/null
  mk end logs
  mk done
}
`;
