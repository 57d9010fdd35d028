/**
 * Calls in flight over a whole server: every TCP connection and UDP
 * together. The per-connection cap bounds what one peer can make us hold;
 * this bounds what all of them can, however many connect (each call in
 * flight may hold a WRITE's payload or be building a READ's reply).
 *
 * When it is exhausted, TCP and UDP wait differently, as each transport can:
 * a TCP connection keeps its call record and stops reading (the rest stays in
 * the kernel's buffers and the window pushes back on the client); a UDP
 * datagram is dropped, and the client retransmits as for any lost datagram.
 *
 * Fairness: freed slots go to waiting connections in turn, one slot per turn
 * (round robin), never to whichever connection happens to finish a call or
 * send more. A connection with hundreds of calls queued takes one slot and
 * goes to the back of the line, so a connection that queued behind it waits
 * for at most one freed slot per connection ahead of it, not for the flood
 * to drain. Slots are not taken back from a connection that holds many (its
 * calls are running; their replies are what frees the slots), so what one
 * connection can hold is bounded by the per-connection cap, and while others
 * wait it only gets its turns like everyone else. A UDP datagram never
 * overtakes a waiting connection: with anyone waiting it is dropped.
 */

/** A transport's connection that can wait for a slot. */
export interface BudgetClaimant {
  /**
   * A slot is reserved for the claimant: it starts one call with it and
   * returns true, or returns false (it closed, or cannot start a call now)
   * and the slot goes to the next in line.
   */
  granted(): boolean;
}

export const DEFAULT_MAX_CALLS_IN_FLIGHT = 1024;

export class CallBudget {
  /** Slots held: calls dispatched and not yet answered. */
  inFlight = 0;
  /** Times a connection had to wait for a slot. */
  waits = 0;
  private readonly queue: BudgetClaimant[] = [];
  private readonly queued = new Set<BudgetClaimant>();

  constructor(readonly max = DEFAULT_MAX_CALLS_IN_FLIGHT) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`calls in flight: ${max} is not a positive integer`);
  }

  /** Connections waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Takes a slot if one is free and nobody is waiting for it. */
  tryAcquire(): boolean {
    if (this.inFlight >= this.max || this.queue.length > 0) return false;
    this.inFlight++;
    return true;
  }

  /** Puts the claimant at the back of the line (once: a claimant already waiting keeps its place). */
  wait(claimant: BudgetClaimant): void {
    if (this.queued.has(claimant)) return;
    this.waits++;
    this.queued.add(claimant);
    this.queue.push(claimant);
  }

  /** The claimant closed: it leaves the line. */
  leave(claimant: BudgetClaimant): void {
    if (this.queued.delete(claimant)) this.queue.splice(this.queue.indexOf(claimant), 1);
  }

  /** A call finished: its slot goes to the next claimant in line that takes it. */
  release(): void {
    this.inFlight--;
    // A claimant that declines (closed, or held back by its own limits) leaves the line; it asks again when it can.
    while (this.inFlight < this.max && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.queued.delete(next);
      this.inFlight++;
      if (!next.granted()) this.inFlight--;
    }
  }
}
