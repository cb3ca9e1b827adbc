import { describe, expect, it } from 'vitest';
import { fixture, fixtureLines } from '../fixtures/framed-output.js';
import { secretKind } from './classify.js';
import {
  MYSQL_SERVER_SECTIONS,
  parseConfGrep,
  parseMysqlUsers,
  parsePgHba,
  parsePgRoles,
} from './parsers/databases.js';
import { parseEnvFile } from './parsers/env-file.js';
import { parseMyCnf } from './parsers/my-cnf.js';
import { parsePgpass } from './parsers/pgpass.js';
import { parsePhpConfig } from './parsers/php-config.js';
import { parseRedisConf, splitRedisArgs } from './parsers/redis-conf.js';
import { parseSshdConfig, parseSshdT } from './parsers/sshd.js';
import { parseApacheGrep, parseNginxT } from './parsers/webservers.js';

describe('sshd', () => {
  it('reads the real `sshd -T` output', () => {
    expect(parseSshdT(fixtureLines('debian12/sshd-T.txt'))).toEqual({
      source: 'sshd -T',
      ports: [22],
      permitRootLogin: 'without-password',
      passwordAuthentication: true,
      pubkeyAuthentication: true,
      permitEmptyPasswords: false,
      kbdInteractiveAuthentication: false,
      x11Forwarding: true,
      maxAuthTries: 6,
      allowUsers: [],
      allowGroups: [],
    });
  });

  it('reads sshd_config files: first value wins, Port repeats, Match blocks ignored', () => {
    const c = parseSshdConfig([
      'Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n',
      'Port 22\nPort 2222\nPermitRootLogin prohibit-password\nPasswordAuthentication yes\nAllowUsers alice bob\nMatch User deploy\n  PasswordAuthentication yes\n',
    ]);
    expect(c).toMatchObject({
      source: 'sshd_config',
      ports: [22, 2222],
      permitRootLogin: 'prohibit-password',
      passwordAuthentication: false,
      allowUsers: ['alice', 'bob'],
    });
    expect(parseSshdConfig(['# nothing\n'])).toBeNull();
  });
});

describe('web servers', () => {
  it('reads server blocks from nginx -T, skipping stream servers and upstream directives', () => {
    const sites = parseNginxT(fixture('alpine3/nginx-T.txt'));
    expect(sites).toEqual([
      {
        server: 'nginx',
        names: [],
        roots: [],
        listen: ['80', '[::]:80'],
        certificates: [],
        source: '/etc/nginx/http.d/default.conf',
      },
      {
        server: 'nginx',
        names: ['shop.example.test', 'www.shop.example.test'],
        roots: ['/srv/shop/static', '/var/www/shop/public'],
        listen: ['443'],
        certificates: ['/etc/letsencrypt/live/shop.example.test/fullchain.pem'],
        source: '/etc/nginx/http.d/shop.conf',
      },
    ]);
    expect(JSON.stringify(sites)).not.toContain('proxy-secret');
  });

  it('reads Apache virtual hosts and the main server from grep lines', () => {
    const sites = parseApacheGrep(fixtureLines('rhel9/httpd-grep.txt'));
    expect(sites).toContainEqual({
      server: 'apache',
      names: ['shop.example.test', 'www.shop.example.test'],
      roots: ['/var/www/shop'],
      listen: ['*:8080'],
      certificates: [],
      source: '/etc/httpd/conf.d/shop.conf',
    });
    expect(sites).toContainEqual({
      server: 'apache',
      names: [],
      roots: [],
      listen: ['_default_:443'],
      certificates: ['/etc/pki/tls/certs/localhost.crt'],
      source: '/etc/httpd/conf.d/ssl.conf',
    });
    expect(sites).toContainEqual({
      server: 'apache',
      names: ['www.example.test:8080'],
      roots: ['/var/www/html'],
      listen: ['8080'],
      certificates: [],
      source: '/etc/httpd/conf/httpd.conf',
    });
  });
});

describe('databases', () => {
  it('reads the real MySQL and PostgreSQL query rows captured in the script output', () => {
    const text = fixture('debian12/script-run.txt');
    const block = (label: string): string[] => {
      const body = text.slice(text.indexOf(`text ${label}\n`) + label.length + 6);
      return body.slice(0, body.indexOf('\n@@')).split('\n');
    };
    expect(parseMysqlUsers(block('mysql-users'))).toContainEqual({
      engine: 'mysql',
      name: 'root',
      host: 'localhost',
      superuser: true,
      canLogin: null,
      source: 'query',
      detail: 'SUPER, GRANT',
    });
    expect(parseMysqlUsers(block('mysql-users'))).toContainEqual(
      expect.objectContaining({ name: 'mariadb.sys', superuser: false }),
    );
    expect(parsePgRoles(block('pg-roles'))).toContainEqual({
      engine: 'postgresql',
      name: 'postgres',
      host: null,
      superuser: true,
      canLogin: true,
      source: 'query',
      detail: 'SUPERUSER, CREATEROLE, CREATEDB, REPLICATION',
    });
  });

  it('reads pg_hba rules including the address-and-mask form', () => {
    const rules = parsePgHba(fixture('rhel9/pg_hba.conf'), '/var/lib/pgsql/data/pg_hba.conf');
    expect(rules[0]).toEqual({
      type: 'local',
      database: 'all',
      user: 'all',
      address: null,
      method: 'peer',
      source: '/var/lib/pgsql/data/pg_hba.conf',
    });
    expect(rules).toContainEqual(
      expect.objectContaining({ type: 'host', address: '10.0.0.0 255.0.0.0', method: 'md5' }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({
        type: 'hostssl',
        database: 'app',
        user: '+appusers',
        address: 'samenet',
        method: 'cert',
      }),
    );
    expect(rules).toHaveLength(7);
  });

  it('takes server settings from my.cnf grep lines only in server sections', () => {
    const lines = fixtureLines('rhel9/mariadb-server.cnf')
      .map((l) => `/etc/my.cnf.d/mariadb-server.cnf:${l}`)
      .filter((l) => !/:\s*(#|$)/.test(l));
    const conf = parseConfGrep(
      [...lines, '/etc/my.cnf.d/client.cnf:[client]', '/etc/my.cnf.d/client.cnf:port = 3307'],
      MYSQL_SERVER_SECTIONS,
    );
    expect(conf.get('datadir')).toBe('/var/lib/mysql');
    expect(conf.get('bind_address')).toBe('0.0.0.0');
    expect(conf.has('port')).toBe(false);
  });
});

describe('credential files', () => {
  it('reads .env values: quotes, export, comments, multi-line keys', () => {
    const env = parseEnvFile(fixture('debian12/planted/app.env'));
    const get = (k: string): string | undefined => env.find((e) => e.key === k)?.value;
    expect(get('DATABASE_URL')).toBe('postgres://fx_app:Fx-app-url-pass-77aa@127.0.0.1:5432/fx_app');
    expect(get('REDIS_PASSWORD')).toBe('Fx-redis-env-pass 88bb');
    expect(get('STRIPE_SECRET_KEY')).toBe('sk_test_Fx_secret_99cc');
    expect(get('JWT_SECRET')).toBe('Fx-jwt-secret-aabbcc');
    expect(get('SIGNING_KEY')).toBe(
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFixtureOnlyNotARealKeyFixtureOnlyAAAA\n-----END PRIVATE KEY-----',
    );
    expect(get('EMPTY_PASSWORD')).toBe('');
    expect(env.find((e) => e.key === 'SIGNING_KEY')?.line).toBe(10);
  });

  it('reads wp-config.php literal defines, escapes included, commented lines excluded', () => {
    const s = parsePhpConfig(fixture('debian12/planted/wp-config.php'));
    const get = (k: string): string[] => s.filter((x) => x.key === k).map((x) => x.value);
    expect(get('DB_PASSWORD')).toEqual(["Fx-wp-DB-pass-2f9c'q"]);
    expect(get('DB_USER')).toEqual(['fixture_wp_user']);
    expect(get('NONCE_SALT')).toEqual(['fx-nonce-salt-$9d0e']);
    expect(get('table_prefix')).toEqual(['wp_']);
    expect(s.find((x) => x.key === 'DB_PASSWORD')?.line).toBe(9);
  });

  it('reads Drupal, Joomla and Nextcloud style PHP settings', () => {
    const drupal = parsePhpConfig(
      "<?php\n$databases['default']['default'] = array (\n  'database' => 'drupal',\n  'username' => 'dru',\n  'password' => 'dr-pass',\n);\n$settings['hash_salt'] = 'salty';\n",
    );
    expect(drupal.map((x) => `${x.key}=${x.value}`)).toEqual([
      'database=drupal',
      'username=dru',
      'password=dr-pass',
      'hash_salt=salty',
    ]);
    const joomla = parsePhpConfig(
      "<?php\nclass JConfig {\n\tpublic $user = 'jo';\n\tpublic $password = 'jo-pass';\n\tpublic $secret = 'jo-secret';\n}\n",
    );
    expect(joomla.map((x) => `${x.key}=${x.value}`)).toEqual(['user=jo', 'password=jo-pass', 'secret=jo-secret']);
    const nc = parsePhpConfig(
      "<?php\n$CONFIG = array (\n  'dbuser' => 'oc_admin',\n  'dbpassword' => \"nc\\x41pass\",\n  /* 'dbpassword' => 'old', */\n);\n",
    );
    expect(nc.map((x) => `${x.key}=${x.value}`)).toEqual(['dbuser=oc_admin', 'dbpassword=ncApass']);
  });

  it('reads my.cnf sections, quotes and escapes', () => {
    const o = parseMyCnf(fixture('debian12/planted/client.cnf'));
    expect(o).toContainEqual({ section: 'client', key: 'password', value: 'Fx-mysql-client-pass;#1', line: 4 });
    expect(o).toContainEqual({ section: 'mysqldump', key: 'password', value: 'Fx-mysqldump-pass-3', line: 9 });
    expect(parseMyCnf('[mysqld]\nskip-name-resolve\nkey_buffer_size=16M # comment\n')).toEqual([
      { section: 'mysqld', key: 'skip-name-resolve', value: '', line: 2 },
      { section: 'mysqld', key: 'key-buffer-size', value: '16M', line: 3 },
    ]);
  });

  it('reads .pgpass with escaped colons', () => {
    expect(parsePgpass(fixture('debian12/planted/pgpass'))).toEqual([
      { host: 'localhost', port: '5432', database: 'fx_app', user: 'fx_app', password: 'Fx-pgpass-one', line: 2 },
      { host: '*', port: '*', database: '*', user: 'fx:admin', password: 'Fx-pgpass-two:with-colon', line: 3 },
    ]);
  });

  it('splits redis.conf arguments as Redis does', () => {
    const d = parseRedisConf(fixture('debian12/planted/redis.conf'));
    expect(d.find((x) => x.name === 'requirepass')?.args).toEqual(['Fx-redis-require"pass']);
    expect(d.find((x) => x.name === 'user')?.args).toEqual(['fixture', 'on', '>Fx-redis-acl-pass', '~*', '+@all']);
    expect(splitRedisArgs("a \"b\\x41\\n\" 'c\\'d'")).toEqual(['a', 'bA\n', "c'd"]);
    expect(splitRedisArgs('a "unterminated')).toBeNull();
    expect(splitRedisArgs('a "x"y')).toBeNull();
  });

  it('classifies settings as credentials by name and value', () => {
    expect(secretKind('DB_PASSWORD', 'x1')).toBe('password');
    expect(secretKind('DATABASE_URL', 'mysql://u:p@h/db')).toBe('connection_string');
    expect(secretKind('DATABASE_URL', 'sqlite:///data.db')).toBeNull();
    expect(secretKind('AWS_SECRET_ACCESS_KEY', 'abc')).toBe('api_key');
    expect(secretKind('AWS_ACCESS_KEY_ID', 'AKIA')).toBeNull();
    expect(secretKind('STRIPE_PUBLISHABLE_KEY', 'pk_x')).toBeNull();
    expect(secretKind('JWT_SECRET', 'x')).toBe('token');
    expect(secretKind('ANYTHING', '-----BEGIN OPENSSH PRIVATE KEY-----\nAAA')).toBe('private_key');
    expect(secretKind('DB_PASSWORD', '')).toBeNull();
    expect(secretKind('DB_PASSWORD', 'password_here')).toBeNull();
    expect(secretKind('DB_PASSWORD', 'changeme')).toBe('password');
    expect(secretKind('DB_PASSWORD_FILE', '/run/secrets/db')).toBeNull();
    expect(secretKind('APP_NAME', 'shop')).toBeNull();
  });
});
