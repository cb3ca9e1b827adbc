/**
 * Value types every compute driver speaks. Provider-specific data rides in `extra`; anything the core relies on
 * has a field of its own.
 */

export type ProviderName = 'ec2' | 'elastichosts';

/** Lifecycle states, normalised across providers. */
export type NodeState = 'pending' | 'running' | 'stopping' | 'stopped' | 'terminated' | 'unknown';

/** One API request a driver is about to send (reported through `CallOptions.onCall`). */
export interface ProviderCall {
  readonly provider: ProviderName;
  /** The provider's own name for the request, e.g. `RunInstances`, `sts:AssumeRole`, `POST /servers/create`. */
  readonly operation: string;
  /** EC2 region or ElasticHosts zone the request goes to. */
  readonly region: string;
}

/** Options every driver method accepts. */
export interface CallOptions {
  /**
   * Called once for every API request actually sent on behalf of this driver call, retries included, just before
   * it leaves. If it returns a promise the request waits for it; if it throws, the request is not sent and the
   * driver call fails with that error (so a ledger that cannot be written stops the call).
   */
  readonly onCall?: (call: ProviderCall) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

export interface Location {
  readonly id: string;
  readonly name: string;
  /** ISO 3166 country code where known. */
  readonly country?: string;
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface Size {
  readonly id: string;
  readonly name: string;
  readonly vcpus: number | undefined;
  readonly ramMiB: number;
  /** Root disk in GiB when the size implies one (ElasticHosts); undefined when storage is chosen separately. */
  readonly diskGiB: number | undefined;
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface Image {
  readonly id: string;
  readonly name: string;
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface KeyPair {
  readonly name: string;
  /** The fingerprint as the provider reports it (format differs between providers). */
  readonly fingerprint: string;
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface Node {
  readonly id: string;
  readonly name: string;
  readonly state: NodeState;
  readonly publicIps: readonly string[];
  readonly privateIps: readonly string[];
  readonly sizeId: string | undefined;
  readonly imageId: string | undefined;
  readonly locationId: string | undefined;
  readonly created: Date | undefined;
  /** The provider's own state word, tags, security groups, metadata… Never holds secrets (VNC passwords are dropped). */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** The outcome of start/stop/destroy as far as the provider said in its answer. */
export interface StateChange {
  readonly nodeId: string;
  readonly previous: NodeState | undefined;
  readonly current: NodeState;
}

export interface CredentialCheck {
  /** The account the credentials act in (AWS account id, ElasticHosts user UUID). */
  readonly accountId: string;
  /** Who the credentials are (an ARN on AWS). */
  readonly principal: string;
}

export interface ListNodesFilter {
  readonly ids?: readonly string[];
  readonly states?: readonly NodeState[];
  readonly name?: string;
  /** Nodes whose tag (EC2) or `user:` metadata (ElasticHosts) key has this value. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface ListImagesFilter {
  readonly ids?: readonly string[];
  /** EC2 owners (`self`, `amazon`, account ids); ignored by providers without owners. */
  readonly owners?: readonly string[];
  /** Name pattern; `*` and `?` are wildcards. */
  readonly name?: string;
}

export interface CreateNodeInput {
  readonly name: string;
  readonly sizeId: string;
  readonly imageId: string;
  readonly locationId?: string;
  /**
   * Launching twice with the same token yields the same node. 1–64 printable ASCII characters (the EC2 limit,
   * applied everywhere so a token works with every provider).
   */
  readonly idempotencyToken: string;
  /** The OpenSSH public key (one `authorized_keys` line) that must be able to log in. */
  readonly sshPublicKey: string;
  /** A key pair already imported with `importKeyPair`; when absent the driver imports `sshPublicKey` itself. */
  readonly keyPairName?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Extra user data for the first boot (EC2); plain text, the driver encodes it. */
  readonly userData?: string;
}

export interface StopOptions extends CallOptions {
  /** Power off without asking the guest to shut down. */
  readonly force?: boolean;
}

/** What a driver can do, declared rather than guessed by callers. */
export interface DriverCapabilities {
  /** `stored`: the provider keeps named key pairs. `inline`: keys travel with each createNode only. */
  readonly keyPairs: 'stored' | 'inline';
  /** `native`: the provider deduplicates launches by token. `lookup`: the driver looks for a node carrying the token. */
  readonly idempotency: 'native' | 'lookup';
  /** listNodes follows provider pagination (several requests for large accounts). */
  readonly paginatedListing: boolean;
  /** Terminated nodes stay visible (state `terminated`) for a while rather than vanishing. */
  readonly terminatedNodesVisible: boolean;
  /** stopNode honours `force` differently from a graceful stop. */
  readonly forceStop: boolean;
  /** What listLocations returns. */
  readonly locations: 'availability-zones' | 'zones';
}
