// RFC 3339 UTC timestamps with milliseconds ("2026-11-21T13:55:02.123Z") from Unix milliseconds, for audit
// records. Civil-from-days conversion (proleptic Gregorian), valid for any date from year 0 to 9999.
function pad(value: i64, width: i32): string {
  let text = value.toString();
  while (text.length < width) text = "0" + text;
  return text;
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
  return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(hours, 2) + ":" + pad(minutes, 2) + ":" +
    pad(seconds, 2) + "." + pad(millis, 3) + "Z";
}
