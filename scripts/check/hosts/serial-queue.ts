/**
 * Runs async tasks one after another. A host talks to one child that answers
 * one request at a time, so concurrent calls from the harness wait their turn.
 */

/**
 * A first-in, first-out queue of async tasks; a failing task does not stop the next.
 *
 * @example
 * ```ts
 * const queue = new SerialQueue();
 * const [a, b] = await Promise.all([queue.run(taskA), queue.run(taskB)]); // b starts after a
 * ```
 */
export class SerialQueue {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.last.then(task, task);
    this.last = result.catch(() => undefined);
    return result;
  }
}
