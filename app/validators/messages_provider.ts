import type { FieldContext, MessagesProviderContact } from '@vinejs/vine/types'

/** A message: text with {{ field }} and the rule's values ({{ min }}, {{ max }}...), or a function of them */
export type Message = string | ((values: Record<string, any> & { field: string }) => string)

/**
 * Vine's SimpleMessagesProvider, with two things it lacks: a message may be a function (so "at
 * least 1 character" can read "Enter the name"), and a field without a label of its own is named
 * in words ("store_name" reads "store name", "items.0.product_id" the label of "product_id", an
 * element of a list that of its list), never by its key. The lookup is Vine's: the field's path
 * and rule ("email.required"), its wildcard path ("items.*.quantity.min"), then the rule alone.
 */
export class HumanMessagesProvider implements MessagesProviderContact {
  constructor(
    private messages: Record<string, Message>,
    private labels: Record<string, string>
  ) {}

  getMessage(rawMessage: string, rule: string, field: FieldContext, args?: Record<string, any>): string {
    const message =
      this.messages[`${field.getFieldPath()}.${rule}`] ?? this.messages[`${field.wildCardPath}.${rule}`] ?? this.messages[rule] ?? rawMessage
    const values: Record<string, any> & { field: string } = { ...args, field: this.labelOf(field) }
    if (typeof message === 'function') return message(values)
    return message.replace(/{{\s*([\w.]+)\s*}}/g, (_, key: string) => String(values[key] ?? ''))
  }

  /** The words for a field: its label, else its key in words (a list's element: its list's) */
  labelOf(field: Pick<FieldContext, 'getFieldPath' | 'wildCardPath' | 'name'>): string {
    const path = field.getFieldPath()
    const known = this.labels[path] ?? this.labels[field.wildCardPath] ?? this.labels[String(field.name)]
    if (known) return known
    const keys = path.split('.').filter((key) => key !== '' && !/^\d+$/.test(key))
    const key = keys.at(-1) ?? String(field.name)
    return this.labels[key] ?? key.replace(/_id$/, '').replace(/_/g, ' ')
  }

  toJSON() {
    return { messages: this.messages, fields: this.labels }
  }
}
