/**
 * Fingerprints of the sections whose content follows from a few files (docs/decisions/0012-incremental-discovery.md).
 * `f_<section>` names, through `fpath`, the files whose inode, size, mtime and ctime decide the section's output;
 * `fps` reads them all with one `stat` and folds each section's numbers into two checksums with shell
 * arithmetic (digits only, so a fingerprint carries nothing read from the server). A section whose fingerprint
 * equals the one Steward sent prints `unchanged` instead of its content.
 */
const D = '$';

export const FINGERPRINTS = String.raw`
fpath() { [ -e "$1" ] && okpath "$1" && _fl="$_fl$1$NL" && _fc=$((_fc + 1)); return 0; }

f_packages() {
  for _d in /usr/bin /bin /usr/sbin /sbin /usr/local/bin; do
    for _c in dpkg-query rpm apk; do fpath "$_d/$_c"; done
  done
  for _f in /var/lib/dpkg/status /var/lib/rpm/rpmdb.sqlite /var/lib/rpm/Packages /usr/lib/sysimage/rpm/rpmdb.sqlite \
    /lib/apk/db/installed; do fpath "$_f"; done
}

f_users() { for _f in /etc/passwd /etc/group /etc/shadow; do fpath "$_f"; done; }

# Administrators also follow from accounts and groups, so their files count here too.
f_access() {
  f_users
  for _f in /etc/sudoers /etc/sudoers.d /etc/sudoers.d/* /etc/doas.conf /etc/doas.d /etc/doas.d/*.conf; do fpath "$_f"; done
}

f_sshkeys() {
  ak_paths
  for _f in /etc/passwd /etc/ssh/ssh_host_*_key.pub; do fpath "$_f"; done
  while read -r _k _u _p; do [ -n "$_p" ] && fpath "$_p"; done <<EOF
$AKP
EOF
}

# Every log file the section reads, and the journal's files when it reads the journal instead.
f_logs() {
  log_files
  while IFS= read -r _f; do [ -n "$_f" ] && fpath "$_f"; done <<EOF
$LOGF
EOF
  if [ "$LOGJ" = 1 ] && have journalctl; then
    for _f in /var/log/journal/*/system.journal /run/log/journal/*/system.journal; do fpath "$_f"; done
  fi
}
# An unchanged logs section still names the files it would have skipped for the cap.
u_logs() { log_caps; }

# fps: sets FP_<section> for every incremental section, or leaves them empty where stat -c is missing (a BSD)
# or a file vanished between listing and reading.
FPS=
fps() {
  FPS=1
  _fl=
  _counts=
  for _s in packages users access sshkeys logs; do
    _fc=0
    "f_$_s"
    _counts="$_counts $_s:$_fc"
  done
  # Times to the nanosecond where stat gives them (GNU: "seconds.nanoseconds", read as two numbers), so that a
  # file rewritten to the same size within the second of the last run still counts as changed; busybox gives
  # whole seconds.
  _st=$(IFS=$NL; set -f; stat -L -c '%i %s %.9Y %.9Z' $_fl 2>/dev/null) || return 0
  case $P in root) _h1=1 ;; sudo) _h1=2 ;; *) _h1=3 ;; esac
  _want=0
  for _c in $_counts; do _want=$((_want + ${D}{_c#*:})); done
  set -f
  _fs=$IFS
  IFS="$IFS."
  # shellcheck disable=SC2086
  set -- $_st
  IFS=$_fs
  set +f
  _per=0
  [ "$_want" -gt 0 ] && _per=$(($# / _want))
  case $_per in 4|6) ;; *) return 0 ;; esac
  [ $# = $((_want * _per)) ] || return 0
  for _c in $_counts; do
    _s=${D}{_c%%:*}
    _k=$((${D}{_c#*:} * _per))
    # The limits the output depends on count too: other limits, other content.
    _a=$(((((FPV * 1000 + _h1 * 100 + _k) * 31 + NLOG) * 31 + MAXBYTES) % 2147483647))
    _b=$_a
    while [ "$_k" -gt 0 ]; do
      _x=$1
      shift
      # The last nine digits, behind a 1 so that a leading zero never reads as octal.
      [ ${D}{#_x} -gt 9 ] && _x=${D}{_x#"${D}{_x%?????????}"}
      _a=$(((_a * 31 + 1$_x) % 2147483647))
      _b=$(((_b * 37 + 1$_x) % 2147483629))
      _k=$((_k - 1))
    done
    eval "FP_$_s='$_a $_b'"
  done
}

# Sections fingerprinted by the listing they make anyway (sections-apps.ts): l_<section> sets _fp.
l_apps() { app_list; _fp=$APPFP; }
l_certificates() { cert_list; _fp=$CERTFP; }

# fpr SECTION: the section's fingerprint, or nothing.
fpr() {
  [ -n "$FPS" ] || fps </dev/null 2>/dev/null
  eval "_fp=\${FP_$1:-}"
}
`;
