// RFC 3339 UTC timestamps with milliseconds ("2026-11-21T13:55:02.123Z") from Unix milliseconds, for audit
// records. Civil-from-days conversion (proleptic Gregorian), valid for any date from year 0 to 9999.

// The timestamp is written as ASCII digits into this buffer, then decoded once: one string per record instead
// of one per field and a concatenation for each.
const STAMP = memory.data(24);

/** `value` in `width` decimal digits (zero-padded; only the low `width` digits of a larger value) at `at`. */
function put(at: usize, value: i64, width: usize): void {
  for (let i = width; i > 0; i--) {
    store<u8>(STAMP + at + i - 1, <u8>(0x30 + <i32>(value % 10)));
    value /= 10;
  }
}

export function formatRfc3339Millis(unixMillis: i64): string {
  let ms = unixMillis;
  if (ms < 0) ms = 0;
  const days = ms / 86400000;
  const msOfDay = ms % 86400000;
  // Days since 1970-01-01 to year/month/day (Howard Hinnant's algorithm).
  const z = days + 719468;
  const era = z / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const day = doy - (153 * mp + 2) / 5 + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hours = msOfDay / 3600000;
  const minutes = (msOfDay / 60000) % 60;
  const seconds = (msOfDay / 1000) % 60;
  const millis = msOfDay % 1000;
  put(0, year, 4);
  store<u8>(STAMP + 4, 0x2d); // -
  put(5, month, 2);
  store<u8>(STAMP + 7, 0x2d);
  put(8, day, 2);
  store<u8>(STAMP + 10, 0x54); // T
  put(11, hours, 2);
  store<u8>(STAMP + 13, 0x3a); // :
  put(14, minutes, 2);
  store<u8>(STAMP + 16, 0x3a);
  put(17, seconds, 2);
  store<u8>(STAMP + 19, 0x2e); // .
  put(20, millis, 3);
  store<u8>(STAMP + 23, 0x5a); // Z
  return String.UTF8.decodeUnsafe(STAMP, 24);
}
