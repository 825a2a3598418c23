/** Names for objects created with metadata.generateName. */
import { randomInt } from "node:crypto";

const alphabet = "bcdfghjklmnpqrstvwxz2456789";
const randomLength = 5;
const maxNameLength = 63;

/** `base` (cut to leave room) followed by 5 random characters from the Kubernetes name alphabet. */
export function generateName(base: string): string {
  const cut = base.length > maxNameLength - randomLength ? base.slice(0, maxNameLength - randomLength) : base;
  let suffix = "";
  for (let i = 0; i < randomLength; i++) suffix += alphabet[randomInt(alphabet.length)];
  return cut + suffix;
}
