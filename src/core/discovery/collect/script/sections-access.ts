/**
 * Sections about who can do what: accounts, groups, sudo/doas grants, SSH keys and database administrators.
 * The shadow file is never sent: only whether each account's password is set, locked or empty.
 */
export const ACCESS_SECTIONS = String.raw`
s_users() {
  fe passwd /etc/passwd
  fe group /etc/group
  if [ -r /etc/shadow ]; then
    tx shadow-status
    awk -F: '{ s = "set"; if ($2 == "") s = "empty"; else if ($2 ~ /^[!*]/) s = "locked"; print $1, s }' /etc/shadow
  fi
}

s_access() {
  fe sudoers /etc/sudoers
  for _f in /etc/sudoers.d/*; do fe sudoers "$_f"; done
  fe doas /etc/doas.conf
  for _f in /etc/doas.d/*.conf; do fe doas "$_f"; done
}

s_sshkeys() {
  for _f in /etc/ssh/ssh_host_*_key.pub; do fe host-key "$_f"; done
  _akf=$(printf '%s\n' "$SSHD_T" | awk 'tolower($1) == "authorizedkeysfile" { $1 = ""; print }')
  [ -n "$_akf" ] || _akf='.ssh/authorized_keys .ssh/authorized_keys2'
  _pk=
  while IFS=: read -r _u _x _uid _gid _g _h _sh <&3; do
    [ -n "$_h" ] && [ -d "$_h" ] || continue
    for _p in $_akf; do
      case $_p in none) continue ;; esac
      case $_p in
        *%*) _p=$(printf '%s' "$_p" | sed -e "s|%h|$_h|g" -e "s|%u|$_u|g" -e "s|%U|$_uid|g" -e 's|%%|%|g') ;;
      esac
      case $_p in /*) ;; *) _p="$_h/$_p" ;; esac
      fe "authorized_keys:$_u" "$_p"
    done
    for _p in "$_h"/.ssh/id_*; do
      case $_p in *.pub|*'*') continue ;; esac
      [ -f "$_p" ] && okpath "$_p" && _pk="$_pk$_u $_p$NL"
    done
  done 3</etc/passwd
  tx private-key-files
  printf '%s' "$_pk"
}

# PostgreSQL answers its own OS account over the local socket (peer authentication); runuser avoids a
# login shell and a password prompt, su is the fallback on hosts without util-linux.
pgq() {
  if have runuser; then t "$TSEC" runuser -u postgres -- psql -XAtq -F '|' -c "$1"
  else t "$TSEC" su postgres -s /bin/sh -c "psql -XAtq -F '|' -c \"$1\""
  fi
}

s_databases() {
  _m=
  for _b in mysql mariadb; do if have "$_b"; then _m=$_b; break; fi; done
  if [ -n "$_m" ]; then
    _o=$(t "$TSEC" "$_m" --connect-timeout=5 -N -B -e 'SELECT User, Host, Super_priv, Grant_priv FROM mysql.user' 2>/dev/null)
    if [ -n "$_o" ]; then
      tx mysql-users; printf '%s\n' "$_o"
      tx mysql-vars
      t "$TSEC" "$_m" --connect-timeout=5 -N -B -e "SHOW VARIABLES WHERE Variable_name IN ('version', 'datadir', 'port', 'bind_address', 'socket', 'log_error')"
      tx mysql-databases; t "$TSEC" "$_m" --connect-timeout=5 -N -B -e 'SHOW DATABASES'
    else
      tx mysql-login-failed
    fi
  fi
  if have psql && id postgres >/dev/null 2>&1; then
    _o=$(pgq "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1")
    if [ -n "$_o" ]; then
      tx pg-roles; printf '%s\n' "$_o"
      tx pg-settings
      pgq "SELECT name, setting FROM pg_settings WHERE name IN ('data_directory', 'listen_addresses', 'port', 'hba_file', 'config_file', 'server_version', 'ssl') ORDER BY 1"
      tx pg-databases; pgq "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1"
    else
      tx pg-login-failed
    fi
  fi
}
`;
