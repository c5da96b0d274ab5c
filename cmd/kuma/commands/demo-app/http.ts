import { hostname } from 'node:os';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from '../base-command';
import { untilSignal } from '../../../../internal/demo/until-signal';

export class DemoAppHttpCommand extends BaseCommand {
  static override paths = [['demo-app', 'http']];
  static override usage = BaseCommand.Usage({
    category: 'Demo',
    description: 'run an HTTP echo server that answers JSON {service, instance, zone, path, method, headers}',
    details: `
      For trying and testing a mesh. Every request gets 200 and the JSON above. --fail-rate R answers a
      share R (0..1) of requests with --fail-status (503) instead: spread evenly (the 2nd, 4th, ... at 0.5)
      unless --fail-random. A request can ask for a status itself with the header x-demo-status: 503.
      Prints "listening on ADDRESS:PORT" once ready; stops on SIGINT/SIGTERM.
    `,
    examples: [
      ['Serve as web-1 of service web', '$0 demo-app http --port 8081 --service web --instance web-1 --zone zone-1'],
      ['Fail half of the requests with 503', '$0 demo-app http --port 8081 --fail-rate 0.5'],
    ],
  });

  port = Option.String('--port', { required: true, description: 'port to listen on (0 = any free port)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 65535)]) });
  address = Option.String('--address', '127.0.0.1', { description: 'address to listen on' });
  service = Option.String('--service', 'demo-app', { description: 'service name put in every answer' });
  instance = Option.String('--instance', { description: 'instance name put in every answer (default: the hostname)' });
  zone = Option.String('--zone', '', { description: 'zone name put in every answer' });
  failRate = Option.String('--fail-rate', { description: 'share of requests (0..1) answered with --fail-status', validator: t.cascade(t.isNumber(), [t.isInInclusiveRange(0, 1)]) });
  failStatus = Option.String('--fail-status', { description: 'status of an injected failure (default 503)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(200, 599)]) });
  failRandom = Option.Boolean('--fail-random', false, { description: 'draw failures at random instead of spreading them evenly' });

  async run(): Promise<number> {
    const { startHttpEcho } = await import('../../../../internal/demo/http-echo');
    const instance = this.instance ?? hostname();
    const server = await startHttpEcho({
      port: this.port,
      address: this.address,
      service: this.service,
      instance,
      zone: this.zone,
      failRate: this.failRate,
      failStatus: this.failStatus,
      failRandom: this.failRandom,
    });
    this.context.stdout.write(`demo-app http: service ${this.service}, instance ${instance}, listening on ${server.address}:${server.port}\n`);
    await untilSignal();
    await server.close();
    return 0;
  }
}
