/** Online rules shared by insights: a subscription connected and not disconnected (Kuma IsOnline). */
import type { Spec } from '../resources/model';

interface Subscription {
  connectTime?: string;
  disconnectTime?: string;
}

export function subscriptions(insight: Spec | undefined): Subscription[] {
  const s = insight?.subscriptions;
  return Array.isArray(s) ? (s as Subscription[]) : [];
}

export function isOnline(insight: Spec | undefined): boolean {
  return subscriptions(insight).some((s) => !!s.connectTime && !s.disconnectTime);
}
