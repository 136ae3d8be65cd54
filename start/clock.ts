import { Settings } from 'luxon'

/*
| Every time the app writes is UTC: raw statements through dbTimestamp(), the MySQL/MariaDB
| sessions set to UTC (db_time.ts). Lucid stamps a model's created_at and updated_at with
| luxon's DateTime.local() and reads SQLite's text in luxon's default zone, which is the
| process's: on a server whose clock is set to local time (a shop's own server usually is),
| those stamps were local wall time beside the UTC of every other write (a drawer kick queued in
| New York was five hours old at once and gave up, momentary.ts). luxon's default zone is UTC
| in every process of the app; a store's own zone is always named where it counts.
*/
Settings.defaultZone = 'utc'
