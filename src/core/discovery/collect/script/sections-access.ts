/**
 * Sections about who can do what: accounts, groups, sudo/doas grants, SSH keys and database administrators.
 * The shadow file is never sent: only whether each account's password is set, locked or empty.
 */
const D = '$';

export const ACCESS_SECTIONS = String.raw`
s_users() {
  fe passwd /etc/passwd
  fe group /etc/group
  if [ -r /etc/shadow ]; then
    tx shadow-status
    # Read by the shell: the account and what its password field is, never the field itself.
    while IFS=: read -r _u _p _r || [ -n "$_u$_p" ]; do
      case $_p in '') _p=empty ;; [*!]*) _p=locked ;; *) _p=set ;; esac
      printf '%s %s\n' "$_u" "$_p"
    done </etc/shadow
  fi
}

s_access() {
  fe sudoers /etc/sudoers
  for _f in /etc/sudoers.d/*; do fe sudoers "$_f"; done
  fe doas /etc/doas.conf
  for _f in /etc/doas.d/*.conf; do fe doas "$_f"; done
}

# ak_paths: sets AKP to "k user path" for every authorized-keys file sshd would read (AuthorizedKeysFile from
# sshd -T, tokens expanded) and "d user dir" for every home's .ssh folder; shell only unless a path has % tokens.
AKP=
ak_paths() {
  [ -n "$AKP" ] && return 0
  # The shell reads sshd -T's answer (no awk): the keyword in any case, the rest of the line as it is.
  _akf=
  while read -r _k _v; do
    case $_k in [Aa][Uu][Tt][Hh][Oo][Rr][Ii][Zz][Ee][Dd][Kk][Ee][Yy][Ss][Ff][Ii][Ll][Ee]) _akf="$_akf $_v" ;; esac
  done <<EOF
$SSHD_T
EOF
  case $_akf in *[![:space:]]*) ;; *) _akf='.ssh/authorized_keys .ssh/authorized_keys2' ;; esac
  AKP=$NL
  while IFS=: read -r _u _x _uid _gid _g _h _sh <&3; do
    [ -n "$_h" ] && [ -d "$_h" ] || continue
    for _p in $_akf; do
      case $_p in none) continue ;; esac
      case $_p in
        *%*) _p=$(printf '%s' "$_p" | sed -e "s|%h|$_h|g" -e "s|%u|$_u|g" -e "s|%U|$_uid|g" -e 's|%%|%|g') ;;
      esac
      case $_p in /*) ;; *) _p="$_h/$_p" ;; esac
      AKP="${D}{AKP}k $_u $_p$NL"
    done
    AKP="${D}{AKP}d $_u $_h/.ssh$NL"
  done 3</etc/passwd
}

s_sshkeys() {
  ak_paths
  for _f in /etc/ssh/ssh_host_*_key.pub; do fe host-key "$_f"; done
  _pk=
  while read -r _k _u _p; do
    [ -n "$_p" ] || continue
    if [ "$_k" = k ]; then fe "authorized_keys:$_u" "$_p"; continue; fi
    for _p in "$_p"/id_*; do
      case $_p in *.pub|*'*') continue ;; esac
      [ -f "$_p" ] && okpath "$_p" && _pk="$_pk$_u $_p$NL"
    done
  done <<EOF
$AKP
EOF
  tx private-key-files
  printf '%s' "$_pk"
}

# PostgreSQL answers its own OS account over the local socket (peer authentication). setpriv (util-linux) only
# changes the ids: no PAM session, no login shell, no password prompt, a third of runuser's CPU; runuser where
# setpriv is missing, su on hosts without util-linux. The SQL comes on stdin.
# Debian's psql is a Perl wrapper that costs more than the queries: the newest real client is tried first, the
# wrapper (which also finds a cluster on another port) only when that gets no answer.
pgq() {
  if have setpriv; then t "$TSEC" setpriv --reuid=postgres --regid=postgres --init-groups -- "$1" -XAtq -F '|'
  elif have runuser; then t "$TSEC" runuser -u postgres -- "$1" -XAtq -F '|'
  else t "$TSEC" su postgres -s /bin/sh -c "$1 -XAtq -F '|'"
  fi
}

pg_all() {
  # psql prints the markers itself (\echo never reaches the server); a failed login prints nothing.
  pgq "$1" <<EOF
SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1;
\echo $_ms
SELECT name, setting FROM pg_settings WHERE name IN ('data_directory', 'listen_addresses', 'port', 'hba_file', 'config_file', 'server_version', 'ssl') ORDER BY 1;
\echo $_md
SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1;
EOF
}

# One client run for the three MySQL questions; a two-column row no answer can produce separates them
# (user rows have four columns, variables come from a fixed list, and batch mode escapes tabs in names).
my_all() {
  t "$TSEC" "$1" --connect-timeout=5 -N -B <<'EOF'
SELECT User, Host, Super_priv, Grant_priv FROM mysql.user;
SELECT '@@steward', 'next';
SHOW VARIABLES WHERE Variable_name IN ('version', 'datadir', 'port', 'bind_address', 'socket', 'log_error');
SELECT '@@steward', 'next';
SHOW DATABASES;
EOF
}

# Whether the postgres account exists, from /etc/passwd (no process).
pg_user() {
  while IFS=: read -r _u _r <&3; do [ "$_u" = postgres ] && return 0; done 3</etc/passwd
  return 1
}

s_databases() {
  _m=
  for _b in mysql mariadb; do if have "$_b"; then _m=$_b; break; fi; done
  if [ -n "$_m" ]; then
    _o=$(my_all "$_m" 2>/dev/null)
    case $_o in
      ''|"@@steward	next"*) tx mysql-login-failed ;;
      *)
        tx mysql-users
        _n=0
        while IFS= read -r _l; do
          if [ "$_l" = "@@steward	next" ]; then
            _n=$((_n + 1))
            if [ "$_n" = 1 ]; then tx mysql-vars; else tx mysql-databases; fi
          else
            printf '%s\n' "$_l"
          fi
        done <<EOF
$_o
EOF
        ;;
    esac
  fi
  if have psql && pg_user; then
    _ms=$(tx pg-settings); _ms=${D}{_ms#"$NL"}
    _md=$(tx pg-databases); _md=${D}{_md#"$NL"}
    _o=
    _pp=
    for _p in /usr/lib/postgresql/*/bin/psql; do [ -x "$_p" ] && _pp=$_p; done
    [ -n "$_pp" ] && _o=$(pg_all "$_pp" 2>/dev/null)
    [ -n "$_o" ] || _o=$(pg_all psql 2>/dev/null)
    case $_o in
      ''|"$_ms"*) tx pg-login-failed ;;
      *) tx pg-roles; printf '%s\n' "$_o" ;;
    esac
  fi
}
`;
