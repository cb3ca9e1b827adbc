/**
 * Sections about what the server runs: service configuration, TLS certificates, applications, credential
 * files, logs and data locations. File contents travel encoded; the parser keeps secrets out of the facts.
 */
const D = '$';

export const APP_SECTIONS = String.raw`
s_config() {
  if [ -n "$SSHD_T" ]; then tx sshd-T; printf '%s\n' "$SSHD_T"
  else
    fe sshd_config /etc/ssh/sshd_config
    for _f in /etc/ssh/sshd_config.d/*.conf; do fe sshd_config "$_f"; done
  fi
  [ -n "$NGINX_T" ] && { mk file "$ENC" nginx-T - 'nginx -T'; printf '%s\n' "$NGINX_T"; }
  if [ -n "$APACHE_FILES" ]; then
    tx apache-grep
    printf '%s\n' "$APACHE_FILES" | while IFS= read -r _f; do
      grep -HniE '^[[:space:]]*(</?VirtualHost|ServerName|ServerAlias|DocumentRoot|SSLCertificateFile|Listen)([[:space:]]|>|$)' "$_f"
    done | head -n 2000
  fi
  for _b in apache2ctl apachectl httpd; do
    if have "$_b"; then tx "apache-version $_b"; t 5 "$_b" -v | head -n 1; break; fi
  done
  if have php; then tx php-version; t 5 php -v | head -n 1; fi
  tx php-dirs
  for _d in /etc/php/* /etc/php[0-9]* /etc/opt/remi/php*; do [ -d "$_d" ] && printf '%s\n' "$_d"; done
  tx mysql-cnf
  grep -HsiE '^[[:space:]]*(\[|datadir|bind[-_]address|port|socket|log[-_]error)' /etc/my.cnf /etc/my.cnf.d/*.cnf \
    /etc/mysql/*.cnf /etc/mysql/conf.d/*.cnf /etc/mysql/mariadb.conf.d/*.cnf /etc/mysql/mysql.conf.d/*.cnf
  tx pg-conf
  grep -HsE '^[[:space:]]*(data_directory|listen_addresses|port|hba_file|ssl)[[:space:]]*=' /etc/postgresql/*/*/postgresql.conf \
    /var/lib/pgsql/data/postgresql.conf /var/lib/pgsql/*/data/postgresql.conf /var/lib/postgresql/data/postgresql.conf
  for _f in /etc/postgresql/*/*/pg_hba.conf /var/lib/pgsql/data/pg_hba.conf /var/lib/pgsql/*/data/pg_hba.conf \
            /var/lib/postgresql/data/pg_hba.conf; do
    fe pg_hba "$_f"
  done
  tx mongod-conf
  grep -HsE '^[[:space:]]*(dbPath|port|bindIp|authorization)[[:space:]]*:' /etc/mongod.conf /etc/mongodb.conf
  if have docker && [ -S /var/run/docker.sock ]; then
    tx docker-ps
    t 10 docker ps --no-trunc --format '{{.ID}}\t{{.Image}}\t{{.Names}}\t{{.Status}}\t{{.Ports}}'
  fi
}

certrefs() {
  [ -n "$NGINX_T" ] && printf '%s\n' "$NGINX_T" | awk '$1 == "ssl_certificate" { gsub(/[";]/, "", $2); print $2 }'
  if [ -n "$APACHE_FILES" ]; then
    printf '%s\n' "$APACHE_FILES" | while IFS= read -r _f; do grep -hsiE '^[[:space:]]*SSLCertificateFile[[:space:]]' "$_f"; done |
      awk '{ gsub(/"/, "", $2); print $2 }'
  fi
}

# certblocks PATH: sets _cb to the CERTIFICATE blocks of one PEM file, read by the shell (no process), or to
# "-" for a file larger than RFT, which sed reads instead. Only those blocks leave the host: a combined PEM may
# also hold a private key.
certblocks() {
  _in=0
  _cb=
  _c=0
  while IFS= read -r _l || [ -n "$_l" ]; do
    _c=$((_c + ${D}{#_l} + 1))
    [ "$_c" -gt "$RFT" ] && { _cb=-; return 0; }
    case $_l in *-----BEGIN\ CERTIFICATE-----*) _in=1 ;; esac
    [ "$_in" = 1 ] && _cb="$_cb$_l$NL"
    case $_l in *-----END\ CERTIFICATE-----*) _in=0 ;; esac
  done <"$1"
}

s_certificates() {
  {
    t "$TSEC" find /etc/ssl /etc/pki/tls /etc/pki/nginx /etc/nginx /etc/apache2 /etc/httpd /etc/caddy /etc/haproxy /etc/postfix \
      /etc/dovecot -maxdepth 4 -type f \( -name '*.pem' -o -name '*.crt' -o -name '*.cer' \) 2>/dev/null
    find /etc/letsencrypt/live -maxdepth 2 -name cert.pem 2>/dev/null
    certrefs
  } | grep -vE '^[^/]|/(ca-certificates\.crt|ca-bundle[^/]*|tls-ca-bundle\.pem|email-ca-bundle\.pem|objsign-ca-bundle\.pem)$|^/etc/(ssl|pki/tls)/cert\.pem$|/private/|privkey|\.key$' |
    sort -u | head -n 100 | while IFS= read -r _f; do
      [ -f "$_f" ] && [ -r "$_f" ] && okpath "$_f" || continue
      certblocks "$_f"
      if [ "$_cb" = - ]; then
        grep -q -- '-----BEGIN CERTIFICATE-----' "$_f" || continue
        fo cert "$_f" sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' "$_f"
      elif [ -n "$_cb" ]; then
        mk file "$ENC" cert - "$_f"
        printf '%s' "$_cb"
      fi
    done
}

s_apps() {
  # The usual places and the web roots, each once, gathered by the shell.
  _roots=$NL
  for _d in /var/www /srv /opt /home /root /usr/share/nginx /usr/local/lsws; do [ -d "$_d" ] && _roots="$_roots$_d$NL"; done
  while IFS= read -r _d; do
    case $_d in /*) case $_roots in *"$NL$_d$NL"*) ;; *) _roots="$_roots$_d$NL" ;; esac ;; esac
  done <<EOF
$WEBROOTS
EOF
  if [ "$_roots" != "$NL" ]; then
    set -f
    # shellcheck disable=SC2086
    t "$TSEC" find $_roots -xdev -maxdepth 5 \( -name node_modules -o -name vendor -o -name .git -o -name .cache -o -name .npm \
      -o -name site-packages -o -name __pycache__ \) -prune -o -type f \( -name wp-config.php -o -name .env -o -name '.env.*' \
      -o -name package.json -o -name settings.php -o -name configuration.php -o -name config.php \) -print 2>/dev/null |
      head -n "$MAXFILES" | while IFS= read -r _f; do
        case $_f in
          */wp-config.php)
            fe wp-config "$_f"
            _v="${D}{_f%/wp-config.php}/wp-includes/version.php"
            [ -f "$_v" ] && { tx "wp-version $_f"; grep -m1 '^\$wp_version' "$_v"; } ;;
          *.example|*.sample|*.dist|*.template|*.tpl) ;;
          */.env|*/.env.*) fe env "$_f" ;;
          */package.json) fe package.json "$_f" ;;
          */sites/*/settings.php|*/configuration.php|*/config/config.php) fe php-config "$_f" ;;
        esac
      done
    set +f
  fi
  _w=
  _nl=
  _nn=0
  for _d in /proc/[0-9]*; do
    read -r _c <"$_d/comm" 2>/dev/null || continue
    case $_c in node|nodejs|bun|deno) _nl="$_nl$_d$NL"; _nn=$((_nn + 1)) ;; esac
  done
  # One readlink for all of them where it takes several paths (GNU); one each where it does not, or where a
  # process ended in between and the answers no longer line up.
  _cw=
  _cn=0
  if [ "$_nn" -gt 1 ]; then
    _cw=$(IFS=$NL; set -f; for _d in $_nl; do set -- "$@" "$_d/cwd"; done; readlink "$@" 2>/dev/null)
    [ -n "$_cw" ] && _cn=$(($(printf '%s\n' "$_cw" | wc -l)))
  fi
  if [ "$_cn" = "$_nn" ] && [ "$_nn" -gt 1 ]; then
    while IFS= read -r _d <&4 && IFS= read -r _cwd <&5; do _w="$_w${D}{_d#/proc/} $_cwd$NL"; done 4<<EOF 5<<EOF2
$_nl
EOF
$_cw
EOF2
  else
    for _d in $_nl; do
      _cwd=$(readlink "$_d/cwd" 2>/dev/null) && _w="$_w${D}{_d#/proc/} $_cwd$NL"
    done
  fi
  tx node-processes
  printf '%s' "$_w"
  printf '%s' "$_w" | awk '{ $1 = ""; sub(/^ /, ""); print }' | sort -u | head -n 50 | while IFS= read -r _d; do
    [ "$_d" = / ] && continue
    for _p in "$_d/package.json" "${D}{_d%/*}/package.json"; do
      if [ -f "$_p" ]; then fe package.json "$_p"; break; fi
    done
  done
}

s_credentials() {
  for _f in /etc/mysql/*.cnf /etc/my.cnf /etc/mysql/conf.d/*.cnf /etc/mysql/mariadb.conf.d/*.cnf \
            /etc/mysql/mysql.conf.d/*.cnf /etc/my.cnf.d/*.cnf; do
    fe my.cnf "$_f"
  done
  while IFS=: read -r _u _x _uid _gid _g _h _sh <&3; do
    [ -n "$_h" ] && [ "$_h" != / ] && [ -d "$_h" ] || continue
    fe "my.cnf:$_u" "$_h/.my.cnf"
    fe "pgpass:$_u" "$_h/.pgpass"
  done 3</etc/passwd
  for _f in /etc/redis.conf /etc/redis/*.conf /etc/keydb/*.conf; do fe redis "$_f"; done
}

# log_files: sets LOGF to the log files the logs section reads and LOGCAP to those past the cap (one per line), and
# LOGJ=1 when none of them is a system log, so the journal is read too. The section's fingerprint covers them.
LOGF=-
log_files() {
  [ "$LOGF" = - ] || return 0
  LOGF=
  LOGCAP=
  LOGJ=1
  _n=0
  for _f in /var/log/auth.log /var/log/secure /var/log/syslog /var/log/messages /var/log/kern.log /var/log/daemon.log \
            /var/log/fail2ban.log /var/log/nginx/*.log /var/log/apache2/*.log /var/log/httpd/*_log /var/log/mysql/*.log \
            /var/log/mysqld.log /var/log/mariadb/*.log /var/log/postgresql/*.log /var/log/redis/*.log /var/log/mongodb/*.log \
            /var/log/php*-fpm.log /var/log/dpkg.log /var/log/dnf.log /var/log/yum.log /var/log/apk.log; do
    [ -f "$_f" ] && okpath "$_f" || continue
    _n=$((_n + 1))
    [ "$_n" -le 40 ] || { LOGCAP="$LOGCAP$_f$NL"; continue; }
    case $_f in /var/log/syslog|/var/log/messages|/var/log/auth.log|/var/log/secure) LOGJ=0 ;; esac
    LOGF="$LOGF$_f$NL"
  done
}

# log_caps: names the log files skipped for the cap (also when the section is unchanged).
log_caps() {
  log_files
  while IFS= read -r _f; do [ -n "$_f" ] && mk cap logs "$_f"; done <<EOF
$LOGCAP
EOF
}

s_logs() {
  log_caps
  # Size and time of every file with one stat (GNU and busybox); "- -" for each where stat -c is missing.
  _st=
  [ -n "$LOGF" ] && _st=$(IFS=$NL; set -f; stat -L -c '%s %Y %n' $LOGF 2>/dev/null)
  [ -n "$_st" ] || _st=$(printf '%s' "$LOGF" | while IFS= read -r _f; do printf -- '- - %s\n' "$_f"; done)
  while read -r _s _m _f; do
    [ -n "$_f" ] || continue
    mk log "$ENC" "$_s" "$_m" "$_f"
    tail -n "$NLOG" "$_f" | cap
  done <<EOF
$_st
EOF
  if [ "$LOGJ" = 1 ] && have journalctl; then
    _o=$(t "$TSEC" journalctl -q -n "$NLOG" --no-pager -o short-iso 2>/dev/null)
    if [ -n "$_o" ]; then mk log "$ENC" - - journal; printf '%s\n' "$_o" | cap; fi
  fi
}

s_locations() {
  tx web-dirs
  for _d in /var/www /var/www/* /srv/* /usr/share/nginx/html /home/*/public_html /home/*/www; do
    [ -d "$_d" ] && okpath "$_d" && printf '%s\n' "$_d"
  done
  printf '%s\n' "$WEBROOTS"
  tx data-dirs
  for _d in /var/lib/mysql /var/lib/mariadb /var/lib/pgsql/data /var/lib/pgsql/*/data /var/lib/postgresql/*/main \
            /var/lib/postgresql/data /var/lib/redis /var/lib/mongodb /var/lib/mongo /var/lib/docker /var/lib/containerd; do
    [ -d "$_d" ] && okpath "$_d" && printf '%s\n' "$_d"
  done
}
`;
