// Glob patterns for allowlists: `*` matches any run of characters (also none), `?` exactly one; every other
// character matches itself, case-sensitively. Matching is iterative (no recursion) with the classic
// "remember the last star" backtracking, so it is linear-ish and cannot overflow the stack on hostile names.

const STAR: i32 = 42; // '*'
const QUESTION: i32 = 63; // '?'

export function isGlob(pattern: string): bool {
  return pattern.indexOf("*") >= 0 || pattern.indexOf("?") >= 0;
}

/** isGlob of the name whose UTF-8 form is the `n` bytes at `p` (`*` and `?` are single bytes in UTF-8). */
export function isGlobUtf8(p: usize, n: i32): bool {
  for (let k = 0; k < n; k++) {
    const c = <i32>load<u8>(p + <usize>k);
    if (c == STAR || c == QUESTION) return true;
  }
  return false;
}

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
