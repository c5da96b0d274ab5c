/**
 * Every command of the binary, listed explicitly. Command classes are light;
 * each loads its heavy modules inside run(), so `kuma version` stays fast.
 */
import type { CommandClass } from 'clipanion';
import { VersionCommand } from './version';
// == control plane and data plane ==
import { ControlPlaneRunCommand } from './control-plane/run';
// == kumactl ==

export const commands: CommandClass[] = [
  VersionCommand,
  ControlPlaneRunCommand,
  // == kumactl commands ==
];
