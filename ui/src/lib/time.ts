function pad(n: number): string {
  return n.toString().padStart(2, "0");
}

/** "HH:MM" in local time, 24-hour clock. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Full local date and time, for the title attribute. */
export function formatFullDate(ms: number): string {
  return new Date(ms).toLocaleString(undefined, {
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}
