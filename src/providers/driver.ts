import type {
  CallOptions,
  CreateNodeInput,
  CredentialCheck,
  DriverCapabilities,
  Image,
  KeyPair,
  ListImagesFilter,
  ListNodesFilter,
  Location,
  Node,
  ProviderName,
  Size,
  StateChange,
  StopOptions,
} from './types.js';

/**
 * One cloud account in one region or zone, seen through a provider-neutral interface.
 *
 * Every method may send several API requests (pagination, retries, helper calls); each one is reported through
 * `opts.onCall` before it is sent. Failures are always one of the `ProviderError` subclasses in `./errors.js`,
 * whose messages never contain credentials. A driver holds no state about organisations or databases; callers
 * pass everything it needs.
 */
export interface ComputeDriver {
  readonly provider: ProviderName;
  /** The EC2 region or ElasticHosts zone this driver talks to. */
  readonly region: string;
  readonly capabilities: DriverCapabilities;

  /**
   * Proves the credentials work with a cheap read: who they are, and that the compute API accepts them.
   * @throws InvalidCredentialsError when the provider rejects them or they lack permission.
   */
  validateCredentials(opts?: CallOptions): Promise<CredentialCheck>;

  /** Places a node can be launched in (EC2: availability zones of the region; ElasticHosts: the zone). */
  listLocations(opts?: CallOptions): Promise<Location[]>;

  /** Sizes a node can be launched with. */
  listSizes(opts?: CallOptions): Promise<Size[]>;

  /** Images a node can be launched from, optionally filtered. */
  listImages(filter?: ListImagesFilter, opts?: CallOptions): Promise<Image[]>;

  /** Every node matching the filter; pagination happens inside. */
  listNodes(filter?: ListNodesFilter, opts?: CallOptions): Promise<Node[]>;

  /**
   * One node.
   * @throws NotFoundError when the provider does not know it (ElasticHosts forgets destroyed servers; EC2 keeps
   * terminated instances visible for a while, with state `terminated`).
   */
  getNode(id: string, opts?: CallOptions): Promise<Node>;

  /**
   * Launches a node that accepts SSH logins with `input.sshPublicKey` (the driver injects the key and opens
   * TCP 22 where the provider has a firewall). Idempotent: the same `idempotencyToken` returns the node the
   * first call created. Returns as soon as the provider accepted the launch; the node may still be `pending`.
   */
  createNode(input: CreateNodeInput, opts?: CallOptions): Promise<Node>;

  startNode(id: string, opts?: CallOptions): Promise<StateChange>;

  /** Stops a node; with `force` it is powered off without a guest shutdown where the provider allows. */
  stopNode(id: string, opts?: StopOptions): Promise<StateChange>;

  rebootNode(id: string, opts?: CallOptions): Promise<void>;

  /**
   * What the node has printed to its serial console (its boot log, newest last), or `undefined` while it has printed
   * nothing yet. Images with cloud-init print their SSH host keys there, which is how Steward recognises a server
   * it launched before logging in to it.
   * @throws NotFoundError when the provider knows no such node, or serves no console at all.
   */
  consoleOutput(id: string, opts?: CallOptions): Promise<string | undefined>;

  /** Terminates a node and the storage the driver created for it. Irreversible. */
  destroyNode(id: string, opts?: CallOptions): Promise<StateChange>;

  /**
   * Makes an OpenSSH public key available for launches. On providers with stored key pairs this imports it
   * (an existing pair with the same name and key is reused); on `inline` providers nothing is sent and the
   * returned pair only names the key for later createNode calls.
   */
  importKeyPair(name: string, publicKey: string, opts?: CallOptions): Promise<KeyPair>;
}
