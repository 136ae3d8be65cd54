import vine from '@vinejs/vine'
import { freeText, id, nameText, textId, textNumber } from '#validators/fields'
import { DEVICE_FILE } from '#core/device_file'

export const pairValidator = vine.create({
  code: vine.string().trim().minLength(4).maxLength(20),
  name: freeText(120).optional(),
})

export const jobResultValidator = vine.create({
  ok: vine.boolean({ strict: true }),
  error: vine.string().trim().maxLength(500).nullable().optional(),
  permanent: vine.boolean().optional(),
})

export const healthValidator = vine.create({
  version: vine.string().trim().maxLength(40).optional(),
  host: vine.string().trim().maxLength(120).optional(),
  devices: vine
    .array(vine.object({ id: id(), ok: vine.boolean({ strict: true }), message: vine.string().trim().maxLength(300) }))
    .maxLength(50)
    .optional(),
})

export const deviceValidator = vine.create({
  kind: vine.enum(['printer', 'drawer', 'display']),
  name: nameText(80),
  transport: vine.enum(['tcp', 'file']),
  host: vine
    .string()
    .trim()
    .maxLength(255)
    .regex(/^[A-Za-z0-9.\-:]+$/)
    .optional()
    .requiredWhen((field) => field.parent.transport === 'tcp' && field.parent.kind !== 'drawer'),
  port: textNumber().withoutDecimals().min(1).max(65535).optional(),
  // A printer or serial line's device file, never any other file of the till's computer (core/device_file.ts)
  path: vine
    .string()
    .trim()
    .maxLength(255)
    .regex(DEVICE_FILE)
    .optional()
    .requiredWhen((field) => field.parent.transport === 'file' && field.parent.kind !== 'drawer'),
  printer_id: textId().optional(),
  drawer_pin: vine.enum(['2', '5']).optional(),
  pulse_on_ms: textNumber().withoutDecimals().min(2).max(510).optional(),
  pulse_off_ms: textNumber().withoutDecimals().min(2).max(510).optional(),
  columns: textNumber().withoutDecimals().min(24).max(64).optional(),
  codepage_mapping: vine.enum(['epson', 'star', 'bixolon', 'citizen', 'xprinter', 'pos-8360']).optional(),
  code_style: vine.enum(['qr', 'barcode', 'none']).optional(),
})
