/** A host key an instance presents, as `ssh-keyscan` would report it. */
export interface InstanceHostKey {
  readonly type: string;
  /** The key in authorized_keys form: `type base64`. */
  readonly publicKey: string;
  /** OpenSSH `SHA256:…` fingerprint. */
  readonly sha256: string;
}

/** Where a sandbox instance answers SSH. */
export interface InstanceHost {
  readonly address: string;
  readonly port: number;
  readonly hostKeys: readonly InstanceHostKey[];
}

/**
 * What turns sandbox instances into real SSH hosts. The sandbox clouds call it as instances are launched,
 * stopped, started and destroyed; the real implementation runs isolated OpenSSH hosts (src/sandbox/hosts), tests
 * may use an in-memory fake.
 */
export interface InstanceHosts {
  /** Brings up a host that accepts the given keys; the address it returns is the instance's public IP. */
  create(instanceId: string, spec: { authorizedKeys: string[]; hostname: string }): Promise<InstanceHost>;
  stop(instanceId: string): Promise<void>;
  start(instanceId: string): Promise<void>;
  destroy(instanceId: string): Promise<void>;
}
