import { hostname } from 'node:os';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from '../base-command';
import { untilSignal } from '../../../../internal/demo/until-signal';

export class DemoAppTcpCommand extends BaseCommand {
  static override paths = [['demo-app', 'tcp']];
  static override usage = BaseCommand.Usage({
    category: 'Demo',
    description: 'run a TCP echo server that prefixes every line with "<service>/<instance>: "',
    details: `
      For trying and testing a mesh with TCP traffic. Prints "listening on ADDRESS:PORT" once ready;
      stops on SIGINT/SIGTERM.
    `,
    examples: [['Serve as db-1 of service db', '$0 demo-app tcp --port 9000 --service db --instance db-1']],
  });

  port = Option.String('--port', { required: true, description: 'port to listen on (0 = any free port)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 65535)]) });
  address = Option.String('--address', '127.0.0.1', { description: 'address to listen on' });
  service = Option.String('--service', 'demo-app', { description: 'service name in the prefix' });
  instance = Option.String('--instance', { description: 'instance name in the prefix (default: the hostname)' });

  async run(): Promise<number> {
    const { startTcpEcho } = await import('../../../../internal/demo/tcp-echo');
    const instance = this.instance ?? hostname();
    const server = await startTcpEcho({ port: this.port, address: this.address, service: this.service, instance });
    this.context.stdout.write(`demo-app tcp: service ${this.service}, instance ${instance}, listening on ${server.address}:${server.port}\n`);
    await untilSignal();
    await server.close();
    return 0;
  }
}
