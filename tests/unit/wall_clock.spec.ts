import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { wallClock } from '#platform/wall_clock'

/*
| The store's wall clock of a moment, with its UTC offset only where that reading happened twice:
| the hour the clocks go back (Berlin, an hour; Lord Howe Island, half an hour). Elsewhere, and in
| the hour that never happened when they go forward, the plain time.
*/
const at = (utc: string) => DateTime.fromISO(utc, { zone: 'utc' })

test.group('wallClock', () => {
  test('the repeated hour carries its offset, other times none', ({ assert }) => {
    assert.equal(wallClock(at('2026-10-25T00:30:00Z'), 'Europe/Berlin'), '2026-10-25 02:30 UTC+02:00')
    assert.equal(wallClock(at('2026-10-25T01:30:00Z'), 'Europe/Berlin'), '2026-10-25 02:30 UTC+01:00')
    assert.equal(wallClock(at('2026-10-24T23:30:00Z'), 'Europe/Berlin'), '2026-10-25 01:30')
    assert.equal(wallClock(at('2026-10-25T02:30:00Z'), 'Europe/Berlin'), '2026-10-25 03:30')
    // Spring forward: 02:00 to 03:00 never happened, nothing reads twice
    assert.equal(wallClock(at('2026-03-29T01:30:00Z'), 'Europe/Berlin'), '2026-03-29 03:30')
    assert.equal(wallClock(at('2026-07-01T10:00:00Z'), 'Europe/Berlin'), '2026-07-01 12:00')
    // Lord Howe goes back half an hour at 02:00 (+11:00 to +10:30): 01:30 to 02:00 reads twice
    assert.equal(wallClock(at('2026-04-04T14:40:00Z'), 'Australia/Lord_Howe'), '2026-04-05 01:40 UTC+11:00')
    assert.equal(wallClock(at('2026-04-04T15:10:00Z'), 'Australia/Lord_Howe'), '2026-04-05 01:40 UTC+10:30')
    assert.equal(wallClock(at('2026-04-04T14:00:00Z'), 'Australia/Lord_Howe'), '2026-04-05 01:00')
    // A format without the hour: a day reads the same for both, no offset
    assert.equal(wallClock(at('2026-10-25T00:30:00Z'), 'Europe/Berlin', 'yyyy-LL-dd'), '2026-10-25')
    // With seconds (the audit log, a sale's page)
    assert.equal(wallClock(at('2026-10-25T01:30:05Z'), 'Europe/Berlin', 'yyyy-LL-dd HH:mm:ss'), '2026-10-25 02:30:05 UTC+01:00')
  })
})
