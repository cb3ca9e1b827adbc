import type { Clock } from '../../../kernel/clock.js';
import type { InstanceHosts } from '../../common/ports.js';
import type { Principal } from '../accounts.js';
import type { Params } from '../params.js';
import type { Ec2World, RegionState } from '../state.js';

/** Everything an EC2 action handler may use. */
export interface ActionContext {
  readonly p: Params;
  readonly world: Ec2World;
  readonly region: RegionState;
  readonly principal: Principal;
  readonly hosts: InstanceHosts;
  readonly clock: Clock;
}

/** Returns the inside of the `<ActionResponse>` element (after `requestId`), or throws an `Ec2Fault`. */
export type Ec2Action = (ctx: ActionContext) => string | Promise<string>;
