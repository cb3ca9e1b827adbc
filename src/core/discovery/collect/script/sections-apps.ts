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
  # Each grep runs only where one of its files is there (a grep is a process; the shell's glob and test are not).
  tx mysql-cnf
  _g='/etc/my.cnf /etc/my.cnf.d/*.cnf /etc/mysql/*.cnf /etc/mysql/conf.d/*.cnf
      /etc/mysql/mariadb.conf.d/*.cnf /etc/mysql/mysql.conf.d/*.cnf'
  # shellcheck disable=SC2086
  anyf $_g && grep -HsiE '^[[:space:]]*(\[|datadir|bind[-_]address|port|socket|log[-_]error)' $_g
  tx pg-conf
  _g='/etc/postgresql/*/*/postgresql.conf /var/lib/pgsql/data/postgresql.conf /var/lib/pgsql/*/data/postgresql.conf
      /var/lib/postgresql/data/postgresql.conf'
  # shellcheck disable=SC2086
  anyf $_g && grep -HsE '^[[:space:]]*(data_directory|listen_addresses|port|hba_file|ssl)[[:space:]]*=' $_g
  for _f in /etc/postgresql/*/*/pg_hba.conf /var/lib/pgsql/data/pg_hba.conf /var/lib/pgsql/*/data/pg_hba.conf \
            /var/lib/postgresql/data/pg_hba.conf; do
    fe pg_hba "$_f"
  done
  tx mongod-conf
  anyf /etc/mongod.conf /etc/mongodb.conf &&
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

# cert_list: sets CERTL to the certificate files the section reads (sorted, at most 100) and CERTFP to a fingerprint of
# that list (lfp). CERTFP stays empty where none can be made, so the section then always runs.
CERTL=-
cert_list() {
  [ "$CERTL" = - ] || return 0
  CERTL=
  CERTFP=
  # /etc is local and the depth small: no time limit (a wrapper is a process of its own). Let's Encrypt's live
  # certificates are links, listed by the shell.
  _o=$(find /etc/ssl /etc/pki/tls /etc/pki/nginx /etc/nginx /etc/apache2 /etc/httpd /etc/caddy /etc/haproxy /etc/postfix \
      /etc/dovecot -maxdepth 4 -type f \( -name '*.pem' -o -name '*.crt' -o -name '*.cer' \) 2>/dev/null)
  for _f in /etc/letsencrypt/live/cert.pem /etc/letsencrypt/live/*/cert.pem /etc/letsencrypt/live/.[!.]*/cert.pem; do
    [ -e "$_f" ] || [ -L "$_f" ] || continue
    case $_f in /etc/letsencrypt/live/*/cert.pem) [ -L "${D}{_f%/cert.pem}" ] && continue ;; esac
    _o="$_o$NL$_f"
  done
  [ -n "$NGINX_T$APACHE_FILES" ] && _o="$_o$NL$(certrefs)"
  # Not CA bundles, not keys.
  _l=
  while IFS= read -r _f; do
    case $_f in /*) ;; *) continue ;; esac
    case ${D}{_f##*/} in ca-certificates.crt|ca-bundle*|tls-ca-bundle.pem|email-ca-bundle.pem|objsign-ca-bundle.pem) continue ;; esac
    case $_f in /etc/ssl/cert.pem|/etc/pki/tls/cert.pem|*/private/*|*privkey*|*.key) continue ;; esac
    _l="$_l$_f$NL"
  done <<EOF
$_o
EOF
  # Sorted and once each, as the parser's certificate order and the cap of 100 want (no sort for one file).
  case $_l in *"$NL"?*) _l=$(printf '%s' "$_l" | sort -u) ;; esac
  _n=0
  while IFS= read -r _f; do
    [ -n "$_f" ] || continue
    _n=$((_n + 1))
    [ "$_n" -le 100 ] || break
    [ -f "$_f" ] && [ -r "$_f" ] && okpath "$_f" && CERTL="$CERTL$_f$NL"
  done <<EOF
$_l
EOF
  lfp "$CERTL" && CERTFP=$_lf
}

s_certificates() {
  cert_list
  while IFS= read -r _f; do
    [ -n "$_f" ] || continue
    certblocks "$_f"
    if [ "$_cb" = - ]; then
      grep -q -- '-----BEGIN CERTIFICATE-----' "$_f" || continue
      fo cert "$_f" sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' "$_f"
    elif [ -n "$_cb" ]; then
      mk file "$ENC" cert - "$_f"
      printf '%s' "$_cb"
    fi
  done <<EOF
$CERTL
EOF
}

# lfp LIST: sets _lf to a fingerprint of the files and folders in LIST (one path a line): inode, size, mtime and
# ctime of each (one stat; times to the nanosecond where stat gives them, as in fps) and the length of its name,
# folded by shell arithmetic with the script version, the privilege and the limits, as fps does. Fails, leaving
# no fingerprint, where stat -c is missing or a listed path vanished. An empty list costs no process.
lfp() {
  _lf=
  _ls=
  _c=0
  if [ -n "$1" ]; then
    _ls=$(IFS=$NL; set -f; stat -L -c '%i %s %.9Y %.9Z' $1 2>/dev/null) || return 1
  fi
  while IFS= read -r _p; do [ -n "$_p" ] && _c=$((_c + 1)) && _ls="$_ls ${D}{#_p}"; done <<EOF
$1
EOF
  case $P in root) _a=1 ;; sudo) _a=2 ;; *) _a=3 ;; esac
  _a=$(((((FPV * 1000 + _a * 100 + _c % 100) * 31 + NLOG) * 31 + MAXBYTES) % 2147483647 * 31 + MAXFILES))
  _b=$_a
  set -f
  _fs=$IFS
  IFS="$IFS."
  # shellcheck disable=SC2086
  set -- $_ls
  IFS=$_fs
  set +f
  # Four numbers a path and its name's length; six and the length where the times have nanoseconds (GNU).
  [ $# = $((_c * 7)) ] || [ $# = $((_c * 5)) ] || return 1
  for _x; do
    # The last nine digits, behind a 1 so that a leading zero never reads as octal.
    [ ${D}{#_x} -gt 9 ] && _x=${D}{_x#"${D}{_x%?????????}"}
    _a=$(((_a * 31 + 1$_x) % 2147483647))
    _b=$(((_b * 37 + 1$_x) % 2147483629))
  done
  _lf="$_a $_b"
}

# node_dirs: sets APPN to the running node processes ("pid cwd", one a line) and APPD to their folders, once each
# (in the order found; sorted only where the order can matter, in s_apps), APPDN to how many.
node_dirs() {
  APPN=
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
    [ -n "$_cw" ] && while IFS= read -r _y; do _cn=$((_cn + 1)); done <<EOF
$_cw
EOF
  fi
  _cwds=
  if [ "$_cn" = "$_nn" ] && [ "$_nn" -gt 1 ]; then
    while IFS= read -r _d <&4 && IFS= read -r _cwd <&5; do APPN="$APPN${D}{_d#/proc/} $_cwd$NL"; _cwds="$_cwds$_cwd$NL"; done 4<<EOF 5<<EOF2
$_nl
EOF
$_cw
EOF2
  else
    for _d in $_nl; do
      _cwd=$(readlink "$_d/cwd" 2>/dev/null) && APPN="$APPN${D}{_d#/proc/} $_cwd$NL" && _cwds="$_cwds$_cwd$NL"
    done
  fi
  APPD=
  APPDN=0
  while IFS= read -r _d; do
    [ -n "$_d" ] || continue
    case $NL$APPD in *"$NL$_d$NL"*) continue ;; esac
    APPD="$APPD$_d$NL"
    APPDN=$((APPDN + 1))
  done <<EOF
$_cwds
EOF
}

# app_list: sets APPL to the files the apps section reads (find's listing, at most MAXFILES), the node_dirs
# variables, and APPFP to a fingerprint of what decides the section's output: the listed files, WordPress's
# version.php beside each wp-config.php, the package.json files next to the node processes' folders, and those
# folders (lfp). Empty where no fingerprint can be made.
APPL=-
APPROOTS='/var/www /srv /opt /home /root /usr/share/nginx /usr/local/lsws'
app_list() {
  [ "$APPL" = - ] || return 0
  APPL=
  APPFP=
  # The usual places and the web roots, each once, gathered by the shell.
  _roots=$NL
  for _d in $APPROOTS; do [ -d "$_d" ] && _roots="$_roots$_d$NL"; done
  while IFS= read -r _d; do
    case $_d in /*) case $_roots in *"$NL$_d$NL"*) ;; *) _roots="$_roots$_d$NL" ;; esac ;; esac
  done <<EOF
$WEBROOTS
EOF
  _ok=1
  _x=
  _na=0
  if [ "$_roots" != "$NL" ]; then
    set -f
    # shellcheck disable=SC2086
    _o=$(t "$TSEC" find $_roots -xdev -maxdepth 5 \( -name node_modules -o -name vendor -o -name .git -o -name .cache -o -name .npm \
      -o -name site-packages -o -name __pycache__ \) -prune -o -type f \( -name wp-config.php -o -name .env -o -name '.env.*' \
      -o -name package.json -o -name settings.php -o -name configuration.php -o -name config.php \) -print 2>/dev/null)
    # 0, or 1 for folders it may not read; anything else (the time limit) leaves a listing that may be partial.
    [ $? -le 1 ] || _ok=
    set +f
    _n=0
    while IFS= read -r _f; do
      [ -n "$_f" ] || continue
      _n=$((_n + 1))
      [ "$_n" -le "$MAXFILES" ] || break
      okpath "$_f" || continue
      APPL="$APPL$_f$NL"
      _na=$((_na + 1))
      case $_f in
        */wp-config.php) _v="${D}{_f%/wp-config.php}/wp-includes/version.php"; [ -f "$_v" ] && _x="$_x$_v$NL" ;;
      esac
    done <<EOF
$_o
EOF
  fi
  node_dirs
  while IFS= read -r _d; do
    [ -n "$_d" ] && [ "$_d" != / ] || continue
    for _p in "$_d/package.json" "${D}{_d%/*}/package.json"; do [ -f "$_p" ] && okpath "$_p" && _x="$_x$_p$NL"; done
  done <<EOF
$APPD
EOF
  # Where the cap on files read could cut this section short, the notes name what it skipped: no fingerprint, so
  # that the section runs and says so again.
  [ $((NFILES + _na + APPDN)) -lt "$MAXFILES" ] || _ok=
  [ -n "$_ok" ] && lfp "$APPL$_x$APPD" && APPFP=$_lf
}

s_apps() {
  app_list
  # The files read here never counted against the cap of later sections (they used to be read in a pipeline).
  _nf=$NFILES
  while IFS= read -r _f; do
    case $_f in
      */wp-config.php)
        fe wp-config "$_f"
        _v="${D}{_f%/wp-config.php}/wp-includes/version.php"
        if [ -f "$_v" ]; then
          tx "wp-version $_f"
          while IFS= read -r _l || [ -n "$_l" ]; do case $_l in '$wp_version'*) printf '%s\n' "$_l"; break ;; esac; done <"$_v"
        fi ;;
      *.example|*.sample|*.dist|*.template|*.tpl) ;;
      */.env|*/.env.*) fe env "$_f" ;;
      */package.json) fe package.json "$_f" ;;
      */sites/*/settings.php|*/configuration.php|*/config/config.php) fe php-config "$_f" ;;
    esac
  done <<EOF
$APPL
EOF
  tx node-processes
  printf '%s' "$APPN"
  [ -n "$APPD" ] || return 0
  # At most 50 folders; they (and the cap on files) make the order matter only past either limit, where sort decides.
  _l=$APPD
  [ "$APPDN" -gt 50 ] || [ $((NFILES + APPDN)) -ge "$MAXFILES" ] && _l=$(printf '%s' "$APPD" | sort)
  _n=0
  while IFS= read -r _d; do
    [ -n "$_d" ] || continue
    _n=$((_n + 1))
    [ "$_n" -le 50 ] || break
    [ "$_d" = / ] && continue
    for _p in "$_d/package.json" "${D}{_d%/*}/package.json"; do
      if [ -f "$_p" ]; then fe package.json "$_p"; break; fi
    done
  done <<EOF
$_l
EOF
  # As when these were read in a pipeline: they do not count against later sections' cap.
  NFILES=$_nf
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
    # The last lines of a file no larger than the cap are within the cap: tail alone, no second process.
    case $_s in
      *[!0-9]*|'') tail -n "$NLOG" "$_f" | cap ;;
      *) if [ "$_s" -le "$MAXBYTES" ]; then tail -n "$NLOG" "$_f"; else tail -n "$NLOG" "$_f" | cap; fi ;;
    esac
  done <<EOF
$_st
EOF
  if [ "$LOGJ" = 1 ] && have journalctl; then
    _o=$(t "$TSEC" journalctl -q -n "$NLOG" --no-pager -o short-iso 2>/dev/null)
    if [ -n "$_o" ]; then
      mk log "$ENC" - - journal
      if [ $((${D}{#_o} + 1)) -le "$MAXBYTES" ]; then printf '%s\n' "$_o"; else printf '%s\n' "$_o" | cap; fi
    fi
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
