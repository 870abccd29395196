/** Tracks requests whose response or ledger entry is not finished, for graceful shutdown. */
export class InFlight {
  readonly #pending = new Set<Promise<unknown>>();
  closing = false;

  track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    const forget = () => this.#pending.delete(work);
    work.then(forget, forget);
    return work;
  }

  get size(): number {
    return this.#pending.size;
  }

  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    const all = Promise.allSettled([...this.#pending]);
    return (await Promise.race([all, deadline])) !== 'timeout';
  }
}
