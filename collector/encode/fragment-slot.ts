// A slot for the encoded bytes of an immutable sub-object of Event (proc, ancestors, container,
// host). The state engine freezes its views through `freezeWithSlot`; the encoder fills the slot
// on first use and copies the bytes afterwards.
//
// Objects carry the slot in a private class field: invisible to avsc, JSON, structuredClone and
// equality checks, untouched by Object.freeze, and read as fast as an ordinary field. (A
// non-enumerable symbol property does the same for arrays, but turns an object's properties into
// a slow dictionary, which every later field read pays for.)

export interface Slot {
  bytes: Buffer | null;
  /** On a proc view: the bytes of proc + ancestors, valid for that ancestors array. */
  tail: Buffer | null;
  tailAncestors: unknown;
}

function emptySlot(): Slot {
  return { bytes: null, tail: null, tailAncestors: null };
}

class SlotCarrier {
  #slot: Slot = emptySlot();

  static slotOf(o: object): Slot | undefined {
    return #slot in o ? (o as SlotCarrier).#slot : undefined;
  }
}

const ARRAY_SLOT = Symbol('saker.encoded');

/** A frozen copy of `value` (an object) or `value` itself frozen (an array), with an empty slot. */
export function freezeWithSlot<T extends object>(value: T): T {
  if (Array.isArray(value)) {
    Object.defineProperty(value, ARRAY_SLOT, { value: emptySlot(), enumerable: false });
    return Object.freeze(value);
  }
  return Object.freeze(Object.assign(new SlotCarrier(), value)) as unknown as T;
}

/** The slot of a value made by freezeWithSlot, undefined for anything else. */
export function slotOf(value: object): Slot | undefined {
  return SlotCarrier.slotOf(value) ?? (value as { [ARRAY_SLOT]?: Slot })[ARRAY_SLOT];
}
