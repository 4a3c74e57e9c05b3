// RFC 3339 UTC timestamps with milliseconds ("2026-11-21T13:55:02.123Z") from Unix milliseconds, for audit
// records. Civil-from-days conversion (proleptic Gregorian), valid for any date from year 0 to 9999.
import { writeDigits } from "../abi/text";

// The timestamp is written as ASCII digits into this buffer, then decoded once: one string per record instead
// of one per field and a concatenation for each.
const STAMP = memory.data(24);

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
  writeDigits(STAMP, <u64>(year % 10000), 4); // only the year's low 4 digits: valid from year 0 to 9999
  store<u8>(STAMP + 4, 0x2d); // -
  writeDigits(STAMP + 5, <u64>month, 2);
  store<u8>(STAMP + 7, 0x2d);
  writeDigits(STAMP + 8, <u64>day, 2);
  store<u8>(STAMP + 10, 0x54); // T
  writeDigits(STAMP + 11, <u64>hours, 2);
  store<u8>(STAMP + 13, 0x3a); // :
  writeDigits(STAMP + 14, <u64>minutes, 2);
  store<u8>(STAMP + 16, 0x3a);
  writeDigits(STAMP + 17, <u64>seconds, 2);
  store<u8>(STAMP + 19, 0x2e); // .
  writeDigits(STAMP + 20, <u64>millis, 3);
  store<u8>(STAMP + 23, 0x5a); // Z
  return String.UTF8.decodeUnsafe(STAMP, 24);
}
