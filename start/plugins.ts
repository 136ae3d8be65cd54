/*
| Loads the enabled plugins at boot. A plugin that throws while loading is marked failed (the
| plugins page shows why) and the app boots anyway. Plugins are told to stop at shutdown.
*/
import app from '@adonisjs/core/services/app'
import { pluginHost } from '#plugins/host'

await pluginHost.boot()
app.terminating(() => pluginHost.shutdown())
