import app from '@adonisjs/core/services/app'
import { defineConfig, drivers } from '@adonisjs/core/hash'

export default defineConfig({
  default: 'scrypt',
  list: {
    // A lower cost under test only: every test builds a store with four hashed users
    scrypt: drivers.scrypt({ cost: app.inTest ? 1024 : 16384, blockSize: 8, parallelization: 1, maxMemory: 33554432 }),
  },
})
