/**
 * Shell helpers every section uses. The text is POSIX `sh` that also runs under busybox ash: no arrays, no
 * `local`, no `[[`, no process substitution. Written with String.raw so backslashes reach the shell as typed;
 * `${D}` stands for a literal `$` where the shell needs `${`.
 */
const D = '$';

/**
 * Variables the generator fills in are validated numbers or a token of letters and digits, so nothing here
 * is spliced from untrusted text.
 */
export const PROLOGUE = String.raw`
LC_ALL=C
export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${D}{PATH:-}
export PATH
PGCONNECT_TIMEOUT=5
export PGCONNECT_TIMEOUT
IFS="$(printf ' \t\nx')"
IFS="${D}{IFS%x}"
NL='
'
umask 077
cd / || exit 1

have() { command -v "$1" >/dev/null 2>&1; }
# anyf PATH...: whether one of them is a regular file (globs that matched nothing stay as they are, and are not).
anyf() { for _a in "$@"; do [ -f "$_a" ] && return 0; done; return 1; }

# Markers start on a fresh line whatever the previous command printed; the parser drops that extra newline.
mk() { printf '\n@@%s %s\n' "$B" "$*"; }
tx() { mk text "$*"; }

# onpath NAME: sets _w to the first executable NAME on PATH, read by the shell (command -v would need a subshell).
onpath() {
  _w=
  _fs=$IFS
  IFS=:
  set -f
  for _d in $PATH; do [ -f "$_d/$1" ] && [ -x "$_d/$1" ] && { _w=$_d/$1; break; }; done
  set +f
  IFS=$_fs
  [ -n "$_w" ]
}

# tlimit: sets TO to how this host gives a command a time limit, found once (a value found in a subshell would not
# survive it): GNU's and the BSDs' timeout take "timeout N CMD", busybox's before 1.30 "timeout -t N CMD". A timeout
# that is a program of its own is taken at its word with no process started; busybox's applet (a link, or the
# busybox file itself) is asked.
tlimit() {
  TO=
  onpath timeout || return 0
  _tw=$_w
  if [ ! -L "$_tw" ] && ! { onpath busybox && [ "$_tw" -ef "$_w" ]; }; then TO=timeout
  elif timeout 5 true >/dev/null 2>&1; then TO=timeout
  elif timeout -t 5 true >/dev/null 2>&1; then TO='timeout -t'
  fi
}
tlimit

# t SECONDS CMD ARGS: run an external command that can hang (a DNS lookup, a stale mount, a locked database)
# with a time limit where the host has one. Cheap local commands run bare: a wrapper is a process of its own.
t() { _s=$1; shift; if [ -n "$TO" ]; then $TO "$_s" "$@"; else "$@"; fi; }

# File contents travel as they are: the random boundary is what keeps them from passing for markers.
ENC=raw
if printf x | head -c 1 >/dev/null 2>&1; then capn() { head -c "$1"; }
else capn() { dd bs=1 count="$1" 2>/dev/null; }
fi
cap() { capn "$MAXBYTES"; }

# rd PATH: a small file's lines, read by the shell (no process); for /proc files and one-line files.
rd() { while IFS= read -r _l || [ -n "$_l" ]; do printf '%s\n' "$_l"; done <"$1"; }

# rf PATH: a file's content, at most MAXBYTES of it. The shell reads the first RFT bytes itself (a config file
# costs no process); a larger file hands what is left of the cap to one head, which reads on from there.
rf() {
  _c=0
  while IFS= read -r _l || [ -n "$_l" ]; do
    _c=$((_c + ${D}{#_l} + 1))
    if [ "$_c" -gt "$RFT" ]; then
      _r=$((MAXBYTES - _c))
      if [ "$_r" -ge 0 ]; then printf '%s\n' "$_l"; [ "$_r" -gt 0 ] && capn "$_r"
      else printf '%s\n' "$_l" | capn $((_r + ${D}{#_l} + 1))
      fi
      break
    fi
    printf '%s\n' "$_l"
  done <"$1"
}

okpath() { case $1 in *"$NL"*|'') return 1 ;; esac; return 0; }

NFILES=0
# fe TAG PATH: one readable regular file, at most MAXBYTES of it.
fe() {
  [ -f "$2" ] && [ -r "$2" ] && okpath "$2" || return 0
  if [ "$NFILES" -ge "$MAXFILES" ]; then mk cap files "$2"; return 0; fi
  NFILES=$((NFILES + 1))
  # No size up front: measuring it costs two processes per file, and the content tells the parser anyway.
  mk file "$ENC" "$1" "?" "$2"
  rf "$2"
}
# fo TAG LABEL CMD ARGS: a command's output, framed like a file.
fo() {
  _t=$1; _l=$2; shift 2
  okpath "$_l" || return 0
  mk file "$ENC" "$_t" - "$_l"
  "$@" | cap
}

apache_files() {
  for _f in /etc/apache2/apache2.conf /etc/apache2/ports.conf /etc/apache2/sites-enabled/* /etc/apache2/conf-enabled/* \
            /etc/httpd/conf/httpd.conf /etc/httpd/conf.d/*.conf; do
    [ -f "$_f" ] && okpath "$_f" && printf '%s\n' "$_f"
  done
}

# Facts several sections need, computed once (a value set inside a pipeline would not survive it).
prepare() {
  SSHD_T=
  for _b in sshd /usr/sbin/sshd; do
    if have "$_b"; then SSHD_T=$("$_b" -T 2>/dev/null); break; fi
  done
  NGINX_T=
  if have nginx; then NGINX_T=$(t 10 nginx -T 2>/dev/null | cap); fi
  APACHE_FILES=$(apache_files)
  WEBROOTS=
  # Without a web server's configuration there is nothing to look for (and no process to start).
  [ -n "$NGINX_T$APACHE_FILES" ] || return 0
  WEBROOTS=$( {
    [ -n "$NGINX_T" ] && printf '%s\n' "$NGINX_T" | awk '$1 == "root" { gsub(/[";]/, "", $2); print $2 }'
    if [ -n "$APACHE_FILES" ]; then
      printf '%s\n' "$APACHE_FILES" | while IFS= read -r _f; do grep -hsiE '^[[:space:]]*DocumentRoot[[:space:]]' "$_f"; done |
        awk '{ gsub(/"/, "", $2); print $2 }'
    fi
  } | grep '^/' | sort -u | head -n 50)
}
`;
