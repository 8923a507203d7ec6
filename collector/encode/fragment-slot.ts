// A slot for the encoded bytes of an immutable sub-object of Event (proc, ancestors, fd,
// container). The state engine freezes its views through `freezeWithSlot`; the encoder fills
// the slot on first use and copies the bytes afterwards. The slot is a non-enumerable symbol
// property, invisible to avsc, JSON and equality checks.

export const ENCODED = Symbol('saker.encoded');

export interface Slot {
  bytes: Buffer | null;
  /** On a proc view: the bytes of proc + ancestors + fd + container, valid for these three. */
  tail: Buffer | null;
  tailAncestors: unknown;
  tailFd: unknown;
  tailContainer: unknown;
}

export type Slotted = { readonly [ENCODED]?: Slot };

/** Freezes `value` with an empty encoding slot. */
export function freezeWithSlot<T extends object>(value: T): T {
  const slot: Slot = { bytes: null, tail: null, tailAncestors: null, tailFd: null, tailContainer: null };
  Object.defineProperty(value, ENCODED, { value: slot, enumerable: false });
  return Object.freeze(value);
}
