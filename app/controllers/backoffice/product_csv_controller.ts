import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import { randomUUID } from 'node:crypto'
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises'
import { once } from 'node:events'
import db from '@adonisjs/lucid/services/db'
import ProductCsvService from '#inventory/product_csv_service'
import { COLUMNS, MAX_FILE_BYTES, REQUIRED_COLUMNS } from '#inventory/product_csv_format'
import { productsCsv } from '#inventory/product_csv_export'
import { DomainError, notFound } from '#exceptions/domain_error'
import { DateTime } from 'luxon'

/*
| Product CSV export and import (ability manageProducts). The upload is streamed to a file
| (the body parser leaves this route alone, so a huge upload is measured, not buffered), then
| checked in the background; the page follows the job's row (htmx polling) until the preview
| or the import is ready.
*/
@inject()
export default class ProductCsvController {
  constructor(private csv: ProductCsvService) {}

  async export({ response, store }: HttpContext) {
    const day = DateTime.now().setZone(store.timeZone).toISODate()
    response.header('Content-Type', 'text/csv; charset=utf-8')
    response.header('Content-Disposition', `attachment; filename="products-${day}.csv"`)
    response.header('Cache-Control', 'no-store')
    return response.stream(productsCsv(store))
  }

  async index({ view, store }: HttpContext) {
    const imports = await db.from('product_imports').where('store_id', store.id).orderBy('id', 'desc').limit(10)
    return view.render('backoffice/products/import', { imports, columns: COLUMNS, required: REQUIRED_COLUMNS, maxMb: MAX_FILE_BYTES / 1024 / 1024 })
  }

  async upload(ctx: HttpContext) {
    const { request, response, store, auth, session } = ctx
    const folder = app.tmpPath('imports')
    const path = `${folder}/${randomUUID()}.csv`
    // htmx sends the form (import.edge): it goes to the page as a whole, not a redirect it would follow and swap
    const goTo = (url: string) => {
      if (!request.header('hx-request')) return response.redirect(url)
      response.header('HX-Redirect', url)
      return response.status(204).send('')
    }
    const fail = async (message: string) => {
      await rm(path, { force: true })
      session.flashValidationErrors({ code: 'E_FORM', messages: [{ field: 'file', message }] } as any, false)
      return goTo('/backoffice/products/import')
    }
    // A body that is not multipart (a plain form, JSON) has no file part and no multipart reader
    if (!request.multipart) return fail('Choose a CSV file to upload')
    // A tmp/ the app may not write (pos:start refuses to serve then, bin/server.ts alone does not):
    // the upload was answered "too large", or a job whose check failed on a file never written
    let file: FileHandle | null = null
    let storeError: string | null = null
    try {
      await mkdir(folder, { recursive: true })
      file = await open(path, 'w', 0o600)
    } catch (error) {
      storeError = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    }
    let size = 0
    let fileName = ''
    let tooLarge = false
    request.multipart.onFile('file', {}, async (part) => {
      fileName = part.filename ?? 'upload.csv'
      const out = file?.createWriteStream()
      // A disk full while writing: said as such, and the rest of the upload is read and dropped
      out?.on('error', (error: NodeJS.ErrnoException) => (storeError ??= error.code ?? error.message))
      for await (const chunk of part) {
        size += chunk.length
        // Past the limit the rest is read and dropped, so the browser gets a clear answer
        if (size > MAX_FILE_BYTES) tooLarge = true
        else if (out && !storeError && !out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'close')])
      }
      if (out && !out.closed) {
        out.end()
        await once(out, 'close')
      }
    })
    try {
      await request.multipart.process({ limit: MAX_FILE_BYTES * 4 })
    } catch (error: any) {
      logger.warn({ err: error }, 'CSV upload refused')
      tooLarge = true
    } finally {
      await file?.close().catch(() => {})
    }
    if (storeError) {
      logger.error({ folder, code: storeError }, 'CSV upload not kept: the folder cannot be written')
      return fail(`The server cannot keep the uploaded file (its folder tmp/imports cannot be written: ${storeError}). Tell the administrator.`)
    }
    if (tooLarge) return fail(`This file is too large: the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB (about 200,000 products). Split it, or check that it is the right file.`)
    if (!fileName || size === 0) return fail('Choose a CSV file to upload')

    const id = await this.csv.createImport(store, auth.user!, fileName, path)
    setImmediate(() => this.csv.preview(store, id).catch((error) => logger.error({ err: error }, 'CSV preview failed')))
    return goTo(`/backoffice/products/import/${id}`)
  }

  async show({ params, view, store }: HttpContext) {
    const job = await this.csv.find(store.id, Number(params.id) || 0)
    if (!job) throw notFound('The import')
    return view.render('backoffice/products/import_job', { job })
  }

  /** The job's row as a fragment: the page polls it while it is being checked or written */
  async progress({ params, view, store }: HttpContext) {
    const job = await this.csv.find(store.id, Number(params.id) || 0)
    if (!job) throw notFound('The import')
    return view.render('backoffice/products/_import_status', { job })
  }

  async run({ params, response, store, auth }: HttpContext) {
    const id = Number(params.id) || 0
    const started = await this.csv.run(store, auth.user!, id)
    if (!started) throw new DomainError('This import is not waiting to be written (already running or done)', { status: 409, code: 'import_not_ready' })
    return response.redirect(`/backoffice/products/import/${id}`)
  }
}
