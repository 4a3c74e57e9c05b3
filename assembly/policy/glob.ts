// Glob patterns for allowlists: `*` matches any run of characters (also none), `?` exactly one; every other
// character matches itself, case-sensitively. Matching is iterative (no recursion) with the classic
// "remember the last star" backtracking, so it is linear-ish and cannot overflow the stack on hostile names.

export function isGlob(pattern: string): bool {
  return pattern.indexOf("*") >= 0 || pattern.indexOf("?") >= 0;
}

const STAR: i32 = 42; // '*'
const QUESTION: i32 = 63; // '?'

export function globMatch(pattern: string, text: string): bool {
  const plen = pattern.length;
  const tlen = text.length;
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < tlen) {
    const pc = p < plen ? pattern.charCodeAt(p) : -1;
    if (pc == STAR) {
      starP = p;
      starT = t;
      p++;
    } else if (pc >= 0 && (pc == QUESTION || pc == text.charCodeAt(t))) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      starT++;
      t = starT;
    } else {
      return false;
    }
  }
  while (p < plen && pattern.charCodeAt(p) == STAR) p++;
  return p == plen;
}
