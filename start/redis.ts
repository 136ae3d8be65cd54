/*
| Every process (the server, the commands, the tests): Redis connections that are away when it
| ends are dropped, not quit (app/platform/redis_status.ts, dropRedisIfAway)
*/
import app from '@adonisjs/core/services/app'
import { dropRedisIfAway } from '#platform/redis_status'

app.terminating(() => dropRedisIfAway())
