import { test } from '@japa/runner'
import { readdirSync } from 'node:fs'
import vine, { errors } from '@vinejs/vine'
import { messages as vineMessages } from '@vinejs/vine/defaults'
import app from '@adonisjs/core/services/app'
import { refusalAlerts, SESSION_SUMMARY } from '#platform/form_refusals'

/*
| Every message a validator can give is ours (start/validator.ts), never vine's robotic default
| ("The name field must be defined", "The selected role is invalid"). Two walks over every
| validator of app/validators: the rules each schema names, each asked of the messages provider;
| and the validators run on bad input, every message they answer compared with vine's templates.
*/

/** Vine's default templates as patterns: "The {{ field }} field must be defined" matches any field */
const vinePatterns = Object.values(vineMessages).map(
  (template) => new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?{{\s*[\w.]+\s*}}/g, '.*').replace(/[{}]/g, '\\$&')}$`)
)
const isVines = (message: string) => vinePatterns.some((pattern) => pattern.test(message))

/** Every validator exported by app/validators, by "file.export" */
async function validators() {
  const found = new Map<string, any>()
  for (const file of readdirSync(app.makePath('app/validators')).filter((name) => name.endsWith('.ts'))) {
    const module = await import(`#validators/${file.replace(/\.ts$/, '')}`)
    for (const [name, value] of Object.entries(module)) {
      if (value && typeof (value as any).validate === 'function' && typeof (value as any).toJSON === 'function') found.set(`${file}.${name}`, value)
    }
  }
  return found
}

/** The rule a refusal names, where it is not its type's or its check's own name */
const RULE_NAMES: Record<string, string> = { checkbox: 'accepted', enumList: 'enum', inValues: 'in' }

/** Rules that change a value and never refuse it */
const TRANSFORMS = new Set(['', 'trim', 'toLowerCase', 'toUpperCase', 'escape', 'normalizeEmail', 'parse'])

/** The rule names (as a refusal names them) a schema node can answer */
function rulesOf(node: any, rules: Set<string>, optional = false) {
  if (!node) return rules
  if (!optional && node.isOptional === false && !node.conditions?.length) rules.add('required')
  const prefix = node.type === 'array' || node.type === 'record' ? `${node.type}.` : node.subtype === 'date' ? 'date.' : ''
  if (node.type === 'literal' && node.subtype !== 'any') rules.add(RULE_NAMES[node.subtype] ?? node.subtype)
  if (['array', 'object', 'record'].includes(node.type)) rules.add(node.type)
  for (const validation of node.validations ?? []) {
    if (!TRANSFORMS.has(validation.name) && !validation.name.startsWith('required')) rules.add(RULE_NAMES[validation.name] ?? prefix + validation.name)
  }
  for (const property of node.properties ?? []) rulesOf(property, rules)
  rulesOf(node.each, rules)
  return rules
}

test.group('Validation messages', () => {
  test('every rule our validators use has a message of ours', async ({ assert }) => {
    const used = new Set<string>()
    for (const validator of (await validators()).values()) rulesOf(validator.toJSON().schema.schema, used, true)
    // Not vacuous: the walk finds the rules the validators are known to use
    for (const rule of ['required', 'string', 'minLength', 'maxLength', 'email', 'regex', 'number', 'withoutDecimals', 'decimal', 'min', 'max', 'positive', 'boolean', 'accepted', 'enum', 'uuid', 'date', 'date.afterOrSameAs', 'object', 'record', 'array', 'array.minLength', 'array.maxLength']) {
      assert.isTrue(used.has(rule), `the walk did not find ${rule}`)
    }
    const field = { getFieldPath: () => 'some_field', wildCardPath: 'some_field', name: 'some_field' } as any
    const values = { min: 2, max: 9, digits: '0-2', choices: ['a', 'b'], otherField: 'from' }
    for (const rule of used) {
      assert.isTrue(Object.hasOwn(vineMessages, rule), `${rule} is not a rule vine reports: the walk named it wrongly`)
      const message = vine.messagesProvider.getMessage((vineMessages as any)[rule], rule, field, values)
      assert.isFalse(isVines(message), `${rule} says vine's "${message}"`)
      assert.notInclude(message, 'some_field', `${rule} names the field by its key: "${message}"`)
    }
  })

  test('validators run on bad input answer no message of vine', async ({ assert }) => {
    const bad: unknown[] = ['', ' ', 'x'.repeat(3000), 'nope', -1e15, 1e15, 1.5, 0, true, {}, [], [{}], ['x'.repeat(100)], [{ product_id: 'x', quantity: -1, sale_item_id: 0 }]]
    const seen = new Map<string, string>()
    for (const [name, validator] of await validators()) {
      const properties: string[] = validator.toJSON().schema.schema.properties.map((p: any) => p.propertyName)
      const bodies = [{}, ...properties.flatMap((property) => bad.map((value) => ({ [property]: value })))]
      for (const body of bodies) {
        try {
          await validator.validate(body)
        } catch (error) {
          if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
          for (const refusal of error.messages as { message: string; rule: string; field: string }[]) {
            assert.isFalse(isVines(refusal.message), `${name} ${JSON.stringify(body).slice(0, 80)}: ${refusal.field} says vine's "${refusal.message}"`)
            seen.set(refusal.rule, refusal.message)
          }
        }
      }
    }
    // Not vacuous: the bad input met most rules (each with a message of ours)
    assert.includeMembers([...seen.keys()], ['required', 'string', 'minLength', 'maxLength', 'email', 'regex', 'number', 'withoutDecimals', 'min', 'max', 'boolean', 'accepted', 'enum', 'array', 'array.minLength', 'object'])
  })

  test('a few messages, word for word', async ({ assert }) => {
    const { customerValidator } = await import('#validators/customers')
    const { createUserValidator } = await import('#validators/users')
    const { createProductValidator } = await import('#validators/catalog')
    const said = async (validator: any, body: unknown) => {
      try {
        await validator.validate(body)
        return {}
      } catch (error: any) {
        return Object.fromEntries(error.messages.map((m: any) => [m.field, m.message]))
      }
    }
    assert.deepEqual(await said(customerValidator, { email: 'ana' }), { name: 'Enter the name', email: 'Enter an email address such as ana@example.com' })
    assert.deepEqual(await said(customerValidator, { name: 'x'.repeat(121) }), { name: 'Use at most 120 characters for the name' })
    assert.deepEqual(await said(createUserValidator, { name: 'Ana', email: 'ana@example.com', role: 'boss', password: 'short' }), {
      role: 'Choose the role: admin, manager, cashier, accountant',
      password: 'Use at least 10 characters for the password',
    })
    assert.deepEqual(await said(createProductValidator, { name: 'Tea', sku: 'T-1', price: 1.5, stock: 'many', barcodes: ['x'.repeat(33)] }), {
      'barcodes.0': 'Use at most 32 characters for the barcode',
      'price': 'Enter the price as a whole number',
      'stock': 'Enter the stock as a number, such as 12',
    })
  })

  test('the alert of a refused page says what no field shows, and only points at the fields that do', ({ assert }) => {
    const bag = { E_FORM: 'A category named "Tea" already exists' }
    const input = { name: ['A category named "Tea" already exists'] }
    assert.deepEqual(refusalAlerts(bag, input, () => true), ['Check the highlighted field'])
    assert.deepEqual(refusalAlerts(bag, input, () => false), ['A category named "Tea" already exists'])
    assert.deepEqual(refusalAlerts({ E_VALIDATION_ERROR: SESSION_SUMMARY }, { name: ['Enter the name'], color: ['x'] }, (f) => f === 'name'), ['Check the highlighted field', 'x'])
    assert.deepEqual(refusalAlerts({ E_FORM: 'Wrong email or password' }, {}, () => true), ['Wrong email or password'])
    assert.deepEqual(refusalAlerts({ E_FORM: 'No printer' }, { form: ['No printer'] }, () => true), [])
  })
})
