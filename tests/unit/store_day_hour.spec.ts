import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { storeDayHour } from '#sales/sale_summaries'

/*
| storeDayHour keeps its answers per UTC quarter hour: it must agree with luxon's own conversion
| at every minute around every change of offset, in zones whose offsets are 30 and 45 minutes off
| the hour, and one that changed at a minute past midnight (St. John's before 2011).
*/

const ZONES = ['America/New_York', 'America/St_Johns', 'Asia/Kathmandu', 'Australia/Eucla', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Europe/London', 'Asia/Kolkata', 'UTC']

function direct(at: DateTime, zone: string) {
  const local = at.startOf('second').setZone(zone)
  return { day: local.toISODate(), hour: local.hour }
}

/** The instants at which the zone's offset changes in a year, to the hour */
function changes(zone: string, year: number) {
  const found: DateTime[] = []
  let previous = DateTime.fromObject({ year }, { zone: 'utc' })
  for (let at = previous.plus({ hours: 1 }); at.year === year; at = at.plus({ hours: 1 })) {
    if (previous.setZone(zone).offset !== at.setZone(zone).offset) found.push(previous)
    previous = at
  }
  return found
}

test.group('storeDayHour', () => {
  for (const zone of ZONES) {
    test(`every minute around each change of offset agrees with luxon: ${zone}`, ({ assert }) => {
      let checked = 0
      for (const year of [2010, 2026]) {
        for (const change of changes(zone, year)) {
          for (let minute = -90; minute <= 150; minute++) {
            for (const second of [0, 59]) {
              const at = change.plus({ minutes: minute, seconds: second })
              assert.deepEqual(storeDayHour(at, zone), direct(at, zone), `${zone} ${at.toISO()}`)
              checked++
            }
          }
        }
      }
      // Zones without summer time still get a day of minutes checked
      for (let minute = 0; minute < 24 * 60; minute += 7) {
        const at = DateTime.fromObject({ year: 2026, month: 12, day: 31, hour: 0 }, { zone: 'utc' }).plus({ minutes: minute, seconds: 30 })
        assert.deepEqual(storeDayHour(at, zone), direct(at, zone), `${zone} ${at.toISO()}`)
        checked++
      }
      assert.isAbove(checked, 200)
    })
  }

  test('random moments over thirty years agree with luxon', ({ assert }) => {
    const from = DateTime.fromObject({ year: 2000 }, { zone: 'utc' }).toMillis()
    const to = DateTime.fromObject({ year: 2030 }, { zone: 'utc' }).toMillis()
    for (let i = 0; i < 20_000; i++) {
      const at = DateTime.fromMillis(from + Math.floor(Math.random() * (to - from)), { zone: 'utc' })
      const zone = ZONES[i % ZONES.length]
      assert.deepEqual(storeDayHour(at, zone), direct(at, zone), `${zone} ${at.toISO()}`)
    }
  })
})
