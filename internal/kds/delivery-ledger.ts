/**
 * What one KDS sender knows about each record it sent: the version sent,
 * when, and whether the peer ACKed or NACKed the message that carried it.
 * The propagation view reads it per (type, wire name) without scanning.
 *
 * Cost: one entry per record the peer holds (the sender's `sent` map has the
 * same size) and one small list per message not yet answered. An entry goes
 * when its record is retracted; the whole ledger goes with the stream.
 */

export interface Delivery {
  /** Content version (SHA-256 of the encoded record) last sent. */
  version: string;
  sentAtMs: number;
  /** The version the peer ACKed last; equal to `version` once the latest send is ACKed. */
  ackedVersion?: string;
  ackedAtMs?: number;
  /** The peer rejected the message that carried `version` (cleared by a later ACK of it). */
  nack?: { version: string; error: string; atMs: number };
}

/** Unanswered messages kept per type; a peer answers every message, so this is only a leak guard. */
const IN_FLIGHT_LIMIT = 256;

export class DeliveryLedger {
  /** type -> wire name -> delivery. */
  readonly #byType = new Map<string, Map<string, Delivery>>();
  /** type -> nonce -> (wire name, version) pairs the message carried, in send order. */
  readonly #inFlight = new Map<string, Map<string, [string, string][]>>();

  constructor(private readonly now: () => number = Date.now) {}

  sent(type: string, nonce: string, resources: readonly { wireName: string; version: string }[], removed: readonly string[]): void {
    let byName = this.#byType.get(type);
    if (!byName) this.#byType.set(type, (byName = new Map()));
    const at = this.now();
    const carried: [string, string][] = [];
    for (const r of resources) {
      const d = byName.get(r.wireName);
      if (d) {
        d.version = r.version;
        d.sentAtMs = at;
      } else byName.set(r.wireName, { version: r.version, sentAtMs: at });
      carried.push([r.wireName, r.version]);
    }
    for (const n of removed) byName.delete(n);
    let inFlight = this.#inFlight.get(type);
    if (!inFlight) this.#inFlight.set(type, (inFlight = new Map()));
    if (inFlight.size >= IN_FLIGHT_LIMIT) inFlight.delete(inFlight.keys().next().value!);
    inFlight.set(nonce, carried);
  }

  /** The peer answered the message `nonce` of `type`: an ACK, or a NACK with its error. */
  answered(type: string, nonce: string, error?: string): void {
    const inFlight = this.#inFlight.get(type);
    const carried = inFlight?.get(nonce);
    if (!carried) return;
    inFlight!.delete(nonce);
    const byName = this.#byType.get(type);
    if (!byName) return;
    const at = this.now();
    const lines = error ? error.split('\n') : [];
    for (const [name, version] of carried) {
      const d = byName.get(name);
      if (!d || d.version !== version) continue; // a newer send is on its way; its answer decides
      if (error === undefined) {
        d.ackedVersion = version;
        d.ackedAtMs = at;
        d.nack = undefined;
      } else {
        // The peer lists one reason per rejected record; show this record's when it is named.
        const own = lines.filter((l) => l.includes(name));
        d.nack = { version, error: own.length ? own.join('\n') : error, atMs: at };
      }
    }
  }

  get(type: string, wireName: string): Delivery | undefined {
    return this.#byType.get(type)?.get(wireName);
  }

  sizes(): { records: number; inFlight: number } {
    let records = 0;
    let inFlight = 0;
    for (const m of this.#byType.values()) records += m.size;
    for (const m of this.#inFlight.values()) inFlight += m.size;
    return { records, inFlight };
  }
}
