import { dataplane } from '../fixtures';
import type { Case } from '../golden';

export const adminCases: Case[] = [
  { name: '01-routable-address', resources: dataplane({}) },
  { name: '02-loopback-address-cluster-only', resources: dataplane({ address: '127.0.0.1' }), adminPort: 9911 },
  ];
