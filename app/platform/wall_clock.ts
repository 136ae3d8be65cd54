import type { DateTime } from 'luxon'

/**
 * A moment as the store's clock on the wall read it ('yyyy-LL-dd HH:mm' by default), with its UTC
 * offset when that reading happened twice: on the night the clocks go back, 02:30 in Berlin is
 * 00:30 UTC (CEST) and again 01:30 UTC (CET). Two refunds made an hour apart read "02:30" alike,
 * as if one had been listed twice; "02:30 UTC+02:00" and "02:30 UTC+01:00" tell them apart. A
 * format without the hour reads the same for both, and gets no offset.
 */
export function wallClock(at: DateTime, zone: string, format = 'yyyy-LL-dd HH:mm'): string {
  const local = at.setZone(zone)
  const text = local.toFormat(format)
  if (!/H|h/.test(format)) return text
  // The zone's change of offset around this moment, if any (the largest is a few hours' shift)
  const shift = Math.abs(local.plus({ hours: 6 }).offset - local.minus({ hours: 6 }).offset)
  if (!shift) return text
  const repeated = [local.plus({ minutes: shift }), local.minus({ minutes: shift })].some((twin) => twin.toFormat(format) === text)
  return repeated ? `${text} UTC${local.toFormat('ZZ')}` : text
}
