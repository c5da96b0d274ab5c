/**
 * Every command of the binary, listed explicitly. Command classes are light;
 * each loads its heavy modules inside run(), so `kuma version` stays fast.
 */
import type { CommandClass } from 'clipanion';
import { VersionCommand } from './version';
// == control plane and data plane ==
import { ControlPlaneRunCommand } from './control-plane/run';
import { MigrateUpCommand } from './migrate/up';
import { DemoAppHttpCommand } from './demo-app/http';
import { DemoAppTcpCommand } from './demo-app/tcp';
import { DataplaneRunCommand } from './dp/run';
import { DataplaneReadinessCheckCommand } from './dp/readiness-check';
import { LabDownCommand } from './lab/down';
import { LabStatusCommand } from './lab/status';
import { LabUpCommand } from './lab/up';
import { EgressRunCommand, IngressRunCommand } from './dp/zone-proxy-run';
// == kumactl ==
import { ApplyCommand } from './apply';
import { CompletionCommand } from './completion';
import { ControlPlanesAddCommand } from './config/control-planes/add';
import { ControlPlanesListCommand } from './config/control-planes/list';
import { ControlPlanesRemoveCommand } from './config/control-planes/remove';
import { ControlPlanesSwitchCommand } from './config/control-planes/switch';
import { ConfigViewCommand } from './config/view';
import { DeleteCommand } from './delete';
import { GenerateDataplaneTokenCommand } from './generate/dataplane-token';
import { GenerateSigningKeyCommand } from './generate/signing-key';
import { GenerateTlsCertificateCommand } from './generate/tls-certificate';
import { GenerateUserTokenCommand } from './generate/user-token';
import { GenerateZoneTokenCommand } from './generate/zone-token';
import { GetCommand } from './get';
import { ExportCommand } from './export';
import { InspectDataplaneCommand } from './inspect/dataplane';
import { InspectDataplanesCommand } from './inspect/dataplanes';
import { InspectMeshesCommand } from './inspect/meshes';
import { InspectPolicyCommand } from './inspect/policy';
import { InspectServicesCommand } from './inspect/services';
import { InspectZoneEgressesCommand } from './inspect/zone-egresses';
import { InspectZoneIngressesCommand } from './inspect/zone-ingresses';
import { InspectZonesCommand } from './inspect/zones';
import { InstallControlPlaneCommand } from './install/control-plane';
import { InstallDemoCommand } from './install/demo';
import { InstallObservabilityCommand } from './install/observability';
import { InstallTransparentProxyCommand } from './install/transparent-proxy';
import { UninstallTransparentProxyCommand } from './uninstall/transparent-proxy';
import { InspectZoneEgressCommand, InspectZoneIngressCommand } from './inspect/zone-proxy';

export const commands: CommandClass[] = [
  VersionCommand,
  ControlPlaneRunCommand,
  MigrateUpCommand,
  DataplaneRunCommand,
  DataplaneReadinessCheckCommand,
  IngressRunCommand,
  EgressRunCommand,
  DemoAppHttpCommand,
  DemoAppTcpCommand,
  LabUpCommand,
  LabStatusCommand,
  LabDownCommand,
  // == kumactl commands ==
  GenerateDataplaneTokenCommand,
  GenerateZoneTokenCommand,
  GenerateUserTokenCommand,
  GenerateSigningKeyCommand,
  GenerateTlsCertificateCommand,
  GetCommand,
  ApplyCommand,
  DeleteCommand,
  ExportCommand,
  InspectMeshesCommand,
  InspectDataplanesCommand,
  InspectDataplaneCommand,
  InspectPolicyCommand,
  InspectServicesCommand,
  InspectZonesCommand,
  InspectZoneIngressesCommand,
  InspectZoneEgressesCommand,
  InspectZoneIngressCommand,
  InspectZoneEgressCommand,
  ConfigViewCommand,
  ControlPlanesAddCommand,
  ControlPlanesListCommand,
  ControlPlanesSwitchCommand,
  ControlPlanesRemoveCommand,
  CompletionCommand,
  InstallControlPlaneCommand,
  InstallDemoCommand,
  InstallObservabilityCommand,
  InstallTransparentProxyCommand,
  UninstallTransparentProxyCommand,
];
