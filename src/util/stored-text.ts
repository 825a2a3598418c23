/**
 * The JSON text an object stands for, kept on the object itself: what the API server stored for it and decodes it
 * from (metadata.resourceVersion aside), so the object can be sent on as that text instead of being serialized again.
 *
 * It lives in a private class field stamped onto the object (a base class whose constructor returns the object lets a
 * subclass install its field there): invisible to JSON, to property enumeration, to spreads and to structured clone,
 * so any copy of the object has no text, as with a WeakMap, without a weak table's cost on each write and in each
 * garbage collection. Only code that holds an object unchanged should note its text.
 */

/** The base of TextStamp: its constructor hands back the object to stamp instead of a new one. */
class StampTarget {
  constructor(target: object) {
    return target as StampTarget;
  }
}

/** Installs the private field on an object (see the file comment). */
class TextStamp extends StampTarget {
  #text: string;

  private constructor(target: object, text: string) {
    super(target);
    this.#text = text;
  }

  /** Notes `text` as `object`'s. */
  static set(object: object, text: string): void {
    if (#text in object) (object as TextStamp).#text = text;
    else new TextStamp(object, text);
  }

  /** The text noted for `object`, if any. */
  static get(object: object): string | undefined {
    return #text in object ? (object as TextStamp).#text : undefined;
  }
}

/** Notes that `object`, which must not change afterwards, stands for the stored JSON `text` (see the file comment). */
export function noteStoredText(object: object, text: string): void {
  TextStamp.set(object, text);
}

/** The stored JSON text noted for `object` (never for a copy of it); undefined when none was. */
export function storedTextOf(object: object): string | undefined {
  return TextStamp.get(object);
}
