import { Option } from 'clipanion';
import type { ApiServerCoordinates } from '../../../../../internal/cli/kumactl-config';
import { ApiError, BadRequestError, ConfigError } from '../../../../../internal/errors';
import { PRODUCT } from '../../../../../internal/version';
import { KumactlCommand } from '../../kumactl-command';

/**
 * `kuma config control-planes add`: add a control plane to the kumactl
 * config, check that it is a Kuma CP and make it active (Kuma
 * app/kumactl/cmd/config/config_control_planes_add.go).
 */
export class ControlPlanesAddCommand extends KumactlCommand {
  static override paths = [['config', 'control-planes', 'add']];
  static override usage = KumactlCommand.Usage({
    category: 'Config',
    description: 'add a control plane and make it active',
    details: 'The control plane is asked for its index (`GET /`) first, unless `--skip-check` is given.',
    examples: [
      ['Add a local control plane', '$0 config control-planes add --name local2 --address http://localhost:5681'],
      ['Add a remote one over HTTPS with a user token', '$0 config control-planes add --name prod --address https://cp.example.com:5682 --ca-cert-file ca.pem --auth-type tokens --auth-conf token=eyJ...'],
    ],
  });

  name = Option.String('--name', { required: true, description: 'reference name for the Control Plane' });
  address = Option.String('--address', { required: true, description: 'URL of the Control Plane API Server, e.g. http://localhost:5681 or https://localhost:5682' });
  overwrite = Option.Boolean('--overwrite', false, { description: 'overwrite an existing Control Plane with the same reference name' });
  skipVerify = Option.Boolean('--skip-verify', false, { description: 'skip CA verification' });
  caCertFile = Option.String('--ca-cert-file', { description: 'CA certificate used to verify the Control Plane (kumactl stores only the path)' });
  clientCertFile = Option.String('--client-cert-file', { description: 'client certificate for admin operations (kumactl stores only the path)' });
  clientKeyFile = Option.String('--client-key-file', { description: 'key of the client certificate (kumactl stores only the path)' });
  headers = Option.Array('--headers', { description: 'header sent with every request, key=value; repeatable' });
  authType = Option.String('--auth-type', { description: 'authentication type, e.g. "tokens"' });
  authConf = Option.Array('--auth-conf', { description: 'authentication configuration, key=value, e.g. token=T; repeatable' });
  skipCheck = Option.Boolean('--skip-check', false, { description: 'do not check that the address answers as a Kuma Control Plane' });

  async run(): Promise<number> {
    const { parseKeyValueFlags } = await import('../../../../../internal/cli/key-values');
    const headers = parseKeyValueFlags('--headers', this.headers, { commaSeparated: true });
    const authConf = parseKeyValueFlags('--auth-conf', this.authConf, { commaSeparated: true });
    await this.#validate(authConf);

    const api: ApiServerCoordinates = { url: this.address };
    if (this.caCertFile) api.caCertFile = this.caCertFile;
    if (this.clientCertFile) api.clientCertFile = this.clientCertFile;
    if (this.clientKeyFile) api.clientKeyFile = this.clientKeyFile;
    if (this.skipVerify) api.skipVerify = true;
    // Sorted, as Kuma does for stable output.
    const keys = Object.keys(headers).sort();
    if (keys.length) api.headers = keys.map((key) => ({ key, value: headers[key]! }));
    if (this.authType) api.authType = this.authType;
    if (Object.keys(authConf).length) api.authConf = authConf;

    if (!this.skipCheck) await this.#checkControlPlane(api);

    const kc = await import('../../../../../internal/cli/kumactl-config');
    const loaded = await this.loadConfig();
    const q = JSON.stringify(this.name);
    if (!kc.addControlPlane(loaded.config, { name: this.name, coordinates: { apiServer: api } }, this.overwrite)) {
      throw new ConfigError(`Control Plane with name ${q} already exists. Use --overwrite to replace an existing one.`);
    }
    if (!kc.addContext(loaded.config, { name: this.name, controlPlane: this.name }, this.overwrite)) {
      throw new ConfigError(`Context with name ${q} already exists`);
    }
    loaded.config.currentContext = this.name;
    await kc.persistConfig(loaded);
    this.out(`added Control Plane ${q}\nswitched active Control Plane to ${q}\n`);
    return 0;
  }

  async #validate(authConf: Record<string, string>): Promise<void> {
    const { AUTH_TYPES, readCaCertFile } = await import('../../../../../internal/cli/api-client');
    let url: URL;
    try {
      url = new URL(this.address);
    } catch {
      throw new BadRequestError(`API Server URL is invalid: parse "${this.address}": invalid URI for request`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new BadRequestError(`API Server URL is invalid: "${this.address}" must start with http:// or https://`);
    }
    if (url.protocol === 'https:' && !this.caCertFile && !this.skipVerify) {
      throw new BadRequestError(
        'HTTPS is used. You need to specify either --ca-cert-file so kumactl can verify authenticity of the Control Plane or --skip-verify to skip verification',
      );
    }
    if (this.caCertFile) readCaCertFile(this.caCertFile);
    if (!!this.clientCertFile !== !!this.clientKeyFile) {
      throw new BadRequestError('Both --client-cert-file and --client-key-file needs to be specified');
    }
    if (this.authType !== undefined) {
      if (!AUTH_TYPES.includes(this.authType)) {
        throw new BadRequestError(`authentication plugin of type ${JSON.stringify(this.authType)} is not found; use --auth-type=tokens`);
      }
      if (!authConf.token) throw new BadRequestError('--auth-conf is not valid: provide token=YOUR_TOKEN');
    }
  }

  /** Kuma's ValidateCpCoordinates: the index must come from Kuma (or a preview build). */
  async #checkControlPlane(api: ApiServerCoordinates): Promise<void> {
    const { ApiClient } = await import('../../../../../internal/cli/api-client');
    const client = new ApiClient(api, this.timeoutMs());
    let index: { product?: string; tagline?: string; version?: string };
    try {
      index = await client.getJson('/');
    } catch (e) {
      // Transport failures already read "could not connect to the Control Plane API Server at ...".
      if (e instanceof ApiError && e.status !== 0) throw new ApiError(e.status, 'Control Plane API Server is not responding');
      throw e;
    } finally {
      await client.close();
    }
    const product = index.product || index.tagline || '';
    if (product !== PRODUCT && !String(index.version ?? '').includes('preview')) {
      throw new BadRequestError(`this CLI is for ${PRODUCT} but the control plane you're connected to is ${product}. Please use the CLI for your control plane`);
    }
  }
}
