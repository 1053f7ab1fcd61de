function pad(n: number): string {
  return n.toString().padStart(2, "0");
}

/** "HH:MM" in local time, 24-hour clock. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// One formatter per format, made on first use: `toLocaleString` with options builds a new
// Intl.DateTimeFormat on every call, which cost the first render of a conversation (one call per
// message) tens of milliseconds.
let fullDate: Intl.DateTimeFormat | undefined;
let dayMonth: Intl.DateTimeFormat | undefined;
let dayMonthYear: Intl.DateTimeFormat | undefined;

/** Full local date and time, for the title attribute. */
export function formatFullDate(ms: number): string {
  fullDate ??= new Intl.DateTimeFormat(undefined, {
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
  return fullDate.format(ms);
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

function sameDay(a: Date, b: Date): boolean {
  return (
    a.getFullYear() === b.getFullYear() &&
    a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate()
  );
}

/** Compact time for lists: "09:30" today, "24 Nov" this year, else "24 Nov 2025". */
export function formatWhen(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const today = new Date(now);
  if (sameDay(d, today)) return formatTime(ms);
  if (d.getFullYear() === today.getFullYear()) {
    dayMonth ??= new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
    return dayMonth.format(d);
  }
  dayMonthYear ??= new Intl.DateTimeFormat(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
  });
  return dayMonthYear.format(d);
}
