import vine from '@vinejs/vine'
import { ROLES } from '#models/user'
import { nameText } from '#validators/fields'

const userFields = {
  name: nameText(120),
  email: vine.string().trim().toLowerCase().email().maxLength(254),
  role: vine.enum(ROLES),
  // 4 to 6 digits, for switching user on the till; stored hashed
  pin: vine.string().trim().regex(/^\d{4,6}$/).nullable().optional(),
  active: vine.accepted().optional(),
}

/** Back office: a new staff member (password required) */
export const createUserValidator = vine.create({
  ...userFields,
  password: vine.string().minLength(10).maxLength(200),
})

/** Back office: editing a staff member (a blank password keeps the current one) */
export const updateUserValidator = vine.create({
  name: userFields.name.clone(),
  email: userFields.email.clone(),
  role: userFields.role.clone(),
  pin: userFields.pin.clone(),
  active: userFields.active.clone(),
  password: vine.string().minLength(10).maxLength(200).nullable().optional(),
})
