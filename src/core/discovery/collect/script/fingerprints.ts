/**
 * Fingerprints of the sections whose content follows from a few files (docs/decisions/0020-incremental-discovery.md).
 * `f_<section>` prints the paths whose inode, size, mtime and ctime decide the section's output; `fpr` turns
 * them into a checksum (digits only, so a fingerprint can carry nothing read from the server). A section with
 * a fingerprint equal to the one Steward sent prints `unchanged` instead of its content.
 */
export const FINGERPRINTS = String.raw`
f_packages() {
  for _c in dpkg-query rpm apk; do command -v "$_c"; done
  printf '%s\n' /var/lib/dpkg/status /var/lib/rpm/rpmdb.sqlite /var/lib/rpm/Packages /usr/lib/sysimage/rpm/rpmdb.sqlite \
    /lib/apk/db/installed
}

f_users() { printf '%s\n' /etc/passwd /etc/group /etc/shadow; }

# Administrators also follow from accounts and groups, so their files count here too.
f_access() {
  f_users
  for _f in /etc/sudoers /etc/sudoers.d /etc/sudoers.d/* /etc/doas.conf /etc/doas.d /etc/doas.d/*.conf; do
    printf '%s\n' "$_f"
  done
}

f_sshkeys() {
  for _f in /etc/passwd /etc/ssh/ssh_host_*_key.pub; do printf '%s\n' "$_f"; done
  ak_paths | while read -r _k _u _p; do printf '%s\n%s\n' "$_p" "${'$'}{_p%/*}"; done
}

STATOK=
# fpr SECTION: the section's fingerprint, or nothing where stat -c is missing (a BSD) or it has none.
fpr() {
  if [ -z "$STATOK" ]; then
    if stat -L -c %i / >/dev/null 2>&1; then STATOK=1; else STATOK=0; fi
  fi
  [ "$STATOK" = 1 ] || return 0
  {
    printf 'v%s %s\n' "$FPV" "$P"
    "f_$1" | sort -u | {
      _l=
      while IFS= read -r _f; do [ -e "$_f" ] && okpath "$_f" && _l="$_l$_f$NL"; done
      IFS=$NL
      set -f
      # shellcheck disable=SC2086
      [ -n "$_l" ] && stat -L -c '%n %i %s %Y %Z' $_l
    }
  } 2>/dev/null </dev/null | cksum | { read -r _a _b _r; printf '%s %s' "$_a" "$_b"; }
}
`;
