// The colour a nickname is written in, in rooms (XEP-0392, the hue every client following the XEP
// gives it): the same colleague is "the blue one" everywhere. Dark enough on the light page for
// text (the avatars' HSLuv lightness: WCAG AA whatever the hue), so colour helps tell people
// apart without being needed to read.
import { AVATAR_LIGHTNESS, rgbToHex, xep0392Rgb } from "./consistentColor";

const cache = new Map<string, string>();

/** "#rrggbb" for `nick` (XEP-0392 §5: the nickname is the input in a room). */
export function nickColor(nick: string): string {
  let c = cache.get(nick);
  if (!c) {
    c = rgbToHex(xep0392Rgb(nick, AVATAR_LIGHTNESS));
    if (cache.size > 5000) cache.clear();
    cache.set(nick, c);
  }
  return c;
}
